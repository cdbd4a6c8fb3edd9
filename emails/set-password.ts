import { z } from "zod";
import { addressField, linkField, nameField, passwordLinkRows, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** The invitation: an admin added this user, who now chooses a password. */
export const setPasswordEmail = defineEmailTemplate({
  name: "set-password",
  category: "notice",
  label: "Set your password",
  schema: z.object({
    name: nameField,
    username: addressField,
    orgName: nameField,
    invitedBy: nameField,
    link: linkField,
    expiresAt: timeField,
  }),
  subject: () => "Set your password",
  secretValidForMs: 72 * 60 * 60_000,
  body: (d) => [
    { type: "heading", text: "Set your password" },
    { type: "paragraph", text: `Hi ${d.name}, ${d.invitedBy} added you to ${d.orgName} on Gatehouse. Choose a password to start using your account.` },
    { type: "button", label: "Set your password", url: d.link },
    {
      type: "facts",
      rows: passwordLinkRows(d),
    },
    {
      type: "note",
      text: "The link works once and expires after 72 hours. If it has expired, ask your admin to send a new invitation. If you weren't expecting this email, you can ignore it: nothing happens until the link is used.",
    },
  ],
  preview: {
    name: "Grace Hopper",
    username: "grace@acme.test",
    orgName: "Acme",
    invitedBy: "Ada Lovelace",
    link: "http://localhost:3000/set-password/preview-token",
    expiresAt: new Date("2026-11-26T09:30:00Z"),
  },
});
