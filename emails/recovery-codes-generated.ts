import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { linkField, nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** Sent when a user generates (or regenerates) their recovery codes. The codes themselves are never emailed. */
export const recoveryCodesGeneratedEmail = defineEmailTemplate({
  name: "recovery-codes-generated",
  category: "alert",
  label: "Recovery codes generated",
  schema: z.object({ name: nameField, orgName: nameField, at: timeField, ip: z.string().max(64).nullable(), browser: shortField, manageLink: linkField }),
  subject: () => "New recovery codes were generated for your Gatehouse account",
  body: (d) => [
    { type: "heading", text: "New recovery codes were generated" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, a new set of recovery codes was just generated for your ${d.orgName} account on Gatehouse. Any codes you had before no longer work.`,
    },
    {
      type: "facts",
      rows: [
        { label: "Time", value: formatDateTime(d.at) },
        { label: "IP address", value: d.ip ?? "Unknown" },
        { label: "Browser", value: d.browser },
      ],
    },
    {
      type: "paragraph",
      text: "If it wasn't you, someone may be logged in as you. Change your password, generate new codes, and tell your Gatehouse admin right away.",
    },
    { type: "button", label: "Review your account", url: d.manageLink },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    at: new Date("2026-11-23T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    manageLink: "http://localhost:3000/settings/advanced",
  },
});
