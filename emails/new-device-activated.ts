import { z } from "zod";
import { madeFromFields, madeFromRows, nameField, shortField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/**
 * Sent when a browser Gatehouse had not seen is activated for a user, by whatever method verified it. (An emailed
 * activation code needs none: the code's own email already named the browser.)
 */
export const newDeviceActivatedEmail = defineEmailTemplate({
  name: "new-device-activated",
  category: "alert",
  label: "New browser activated",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    // How the browser was verified ("Authenticator app", "Recovery code", …).
    method: shortField,
    ...madeFromFields,
    wasntMeLink: wasntMeField,
  }),
  subject: () => "A new browser was activated for your Gatehouse account",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "A new browser was activated" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, someone logged in to your ${d.orgName} account on Gatehouse from a browser it hadn't seen before, and verified it with: ${d.method}. That browser is now activated for your account.`,
    },
    { type: "facts", rows: madeFromRows(d) },
    { type: "paragraph", text: "If this was you, there is nothing else to do." },
    ...wasntMeBlocks(d.wasntMeLink),
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    method: "Authenticator app",
    at: new Date("2026-11-23T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    wasntMeLink: WASNT_ME_PREVIEW_LINK,
  },
});
