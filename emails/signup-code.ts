import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** The 6-digit code that proves the email address of "Create your org" before the org and its admin exist. */
export const signupCodeEmail = defineEmailTemplate({
  name: "signup-code",
  category: "code",
  label: "Sign-up confirmation code",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    code: z.string().regex(/^\d{6}$/),
    expiresAt: timeField,
    ip: z.string().max(64).nullable(),
    browser: shortField,
  }),
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Confirm your email for Gatehouse",
  secretValidForMs: 10 * 60_000,
  body: (d) => [
    { type: "heading", text: "Confirm your email" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, someone is creating the org ${d.orgName} on Gatehouse with this email address as its first admin. Enter this code to confirm the address is yours:`,
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
    { type: "note", text: "The code works once and expires after 10 minutes. If this wasn't you, ignore this email: nothing is created without the code." },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    code: "591736",
    expiresAt: new Date("2026-11-23T09:40:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
  },
});
