import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** The 6-digit code that activates a new browser for a user without another verification method. */
export const deviceActivationCodeEmail = defineEmailTemplate({
  name: "device-activation-code",
  category: "code",
  label: "Device activation code",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    code: z.string().regex(/^\d{6}$/),
    expiresAt: timeField,
    ip: z.string().max(64).nullable(),
    browser: shortField,
  }),
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Your Gatehouse verification code",
  secretValidForMs: 10 * 60_000,
  body: (d) => [
    { type: "heading", text: "Verify it's you" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, someone signed in to your ${d.orgName} account on Gatehouse from a browser we haven't seen before. Enter this code to activate it:`,
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
      text: "The code works once and expires after 10 minutes. If this wasn't you, don't share the code: someone knows your password. Change it and tell your Gatehouse admin.",
    },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    code: "482913",
    expiresAt: new Date("2026-11-23T09:40:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
  },
});
