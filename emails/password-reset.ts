import { z } from "zod";
import { addressField, linkField, nameField, passwordLinkRows, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

export const PASSWORD_RESET_VALID_FOR_MS = 60 * 60_000;

export type PasswordResetReason = "requested" | "admin" | "compromise";

const INTRO: Record<PasswordResetReason, string> = {
  requested: "someone asked to reset the password of your account from the login page.",
  admin: "an admin of your org reset your password. Your old password no longer works.",
  compromise: "you told us a change to your account wasn't you. We signed you out everywhere and your old password no longer works.",
};

const reasonOf = (d: { byAdmin: boolean; afterReport: boolean }): PasswordResetReason => (d.afterReport ? "compromise" : d.byAdmin ? "admin" : "requested");

/** A link to choose a new password: "Forgot your password?", an admin's "Reset password", or after "This wasn't me". */
export const passwordResetEmail = defineEmailTemplate({
  name: "password-reset",
  category: "notice",
  label: "Reset your password",
  schema: z.object({
    name: nameField,
    username: addressField,
    orgName: nameField,
    // Neither: "Forgot your password?". byAdmin: an admin's "Reset password". afterReport: after "This wasn't me".
    byAdmin: z.boolean(),
    afterReport: z.boolean(),
    link: linkField,
    expiresAt: timeField,
  }),
  subject: () => "Reset your Gatehouse password",
  secretValidForMs: PASSWORD_RESET_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "Choose a new password" },
    { type: "paragraph", text: `Hi ${d.name}, ${INTRO[reasonOf(d)]} Choose a new password with the button below.` },
    { type: "button", label: "Choose a new password", url: d.link },
    {
      type: "facts",
      rows: passwordLinkRows(d),
    },
    {
      type: "note",
      text:
        reasonOf(d) === "requested"
          ? "The link works once and expires after 1 hour. If you didn't ask for this, you can ignore this email: your password stays as it is."
          : "The link works once and expires after 1 hour. If it has expired, use “Forgot your password?” on the login page.",
    },
  ],
  preview: {
    name: "Grace Hopper",
    username: "grace@acme.test",
    orgName: "Acme",
    byAdmin: false,
    afterReport: false,
    link: "http://localhost:3000/set-password/preview-token",
    expiresAt: new Date("2026-11-23T10:30:00Z"),
  },
});
