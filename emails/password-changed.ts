import { z } from "zod";
import { madeFromFields, madeFromRows, nameField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** Sent whenever a user's password changes: in Advanced User Details or through a reset link. */
export const passwordChangedEmail = defineEmailTemplate({
  name: "password-changed",
  category: "alert",
  label: "Password changed",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    // true: with a reset link; false: "Change password" in Advanced User Details.
    byResetLink: z.boolean(),
    ...madeFromFields,
    wasntMeLink: wasntMeField,
  }),
  subject: () => "Your Gatehouse password was changed",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "Your password was changed" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, the password of your ${d.orgName} account on Gatehouse was just ${d.byResetLink ? "reset with an emailed link" : "changed in Advanced User Details"}. Every other browser signed in as you was signed out.`,
    },
    {
      type: "facts",
      rows: madeFromRows(d),
    },
    { type: "paragraph", text: "If this was you, there is nothing else to do." },
    ...wasntMeBlocks(d.wasntMeLink),
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    byResetLink: false,
    at: new Date("2026-11-23T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    wasntMeLink: WASNT_ME_PREVIEW_LINK,
  },
});
