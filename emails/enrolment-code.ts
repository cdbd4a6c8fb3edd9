import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** The 6-digit code that proves a user's mailbox before they enrol a first factor under required MFA. */
export const enrolmentCodeEmail = defineEmailTemplate({
  name: "enrolment-code",
  category: "code",
  label: "Email confirmation code (MFA enrolment)",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    code: z.string().regex(/^\d{6}$/),
    expiresAt: timeField,
    ip: z.string().max(64).nullable(),
    browser: shortField,
  }),
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Confirm your email to set up multi-factor authentication",
  secretValidForMs: 10 * 60_000,
  body: (d) => [
    { type: "heading", text: "Confirm your email" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.orgName} requires multi-factor authentication, so you're setting up a security key or an authenticator app on Gatehouse. Enter this code first to confirm this email address is yours:`,
    },
    { type: "heading", text: d.code },
    {
      type: "facts",
      rows: [
        { label: "Code expires", value: formatDateTime(d.expiresAt) },
        { label: "IP address", value: d.ip ?? "Unknown" },
        { label: "Browser", value: d.browser },
      ],
    },
    {
      type: "note",
      text: "The code works once and expires after 10 minutes. If you aren't setting up a security key or an authenticator app right now, don't share the code: someone knows your password. Change it and tell your Gatehouse admin.",
    },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    code: "730415",
    expiresAt: new Date("2026-11-23T09:40:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
  },
});
