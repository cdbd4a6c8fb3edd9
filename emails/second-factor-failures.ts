import { z } from "zod";
import { madeFromFields, madeFromRows, nameField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/**
 * Sent when the second step of login keeps failing after a correct password: after 10 failures in a day (once a
 * day), and when the failures since the last success lock the step for new browsers.
 */
export const secondFactorFailuresEmail = defineEmailTemplate({
  name: "second-factor-failures",
  category: "alert",
  label: "Failed verification attempts",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    // Failures since the last successful verification.
    failures: z.number().int().min(1).max(1_000_000),
    // The step is now locked for browsers not activated for the user.
    locked: z.boolean(),
    ...madeFromFields,
    wasntMeLink: wasntMeField,
  }),
  subject: (d) => (d.locked ? "Verification locked on your Gatehouse account after failed attempts" : "Failed verification attempts on your Gatehouse account"),
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: d.locked ? "Verification is locked for new browsers" : "Someone is failing to verify as you" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, someone entered the right password for your ${d.orgName} account on Gatehouse, then failed the second step ${d.failures} times since your last successful verification. The latest attempt is below.`,
    },
    { type: "facts", rows: madeFromRows(d) },
    {
      type: "paragraph",
      text: d.locked
        ? "To protect your account, the second step is now locked for every browser not already activated for you. A browser you activated before still works; on any other, ask an admin of your org for a temporary verification code."
        : "If this wasn't you, someone knows your password.",
    },
    ...wasntMeBlocks(d.wasntMeLink, "If these attempts weren't yours"),
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    failures: 10,
    locked: false,
    at: new Date("2026-11-23T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    wasntMeLink: WASNT_ME_PREVIEW_LINK,
  },
});
