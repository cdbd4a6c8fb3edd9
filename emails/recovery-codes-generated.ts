import { z } from "zod";
import { linkField, madeFromFields, madeFromRows, nameField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** Sent when a user generates (or regenerates) their recovery codes. The codes themselves are never emailed. */
export const recoveryCodesGeneratedEmail = defineEmailTemplate({
  name: "recovery-codes-generated",
  category: "alert",
  label: "Recovery codes generated",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    ...madeFromFields,
    manageLink: linkField,
    wasntMeLink: wasntMeField,
  }),
  subject: () => "New recovery codes were generated for your Gatehouse account",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "New recovery codes were generated" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, a new set of recovery codes was just generated for your ${d.orgName} account on Gatehouse. Any codes you had before no longer work.`,
    },
    {
      type: "facts",
      rows: madeFromRows(d),
    },
    { type: "button", label: "Review your account", url: d.manageLink },
    ...wasntMeBlocks(d.wasntMeLink, undefined, "suspend"),
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    at: new Date("2026-11-23T09:30:00Z"),
    ip: "203.0.113.7",
    browser: "Chrome 156 on Linux",
    manageLink: "http://localhost:3000/settings/advanced",
    wasntMeLink: WASNT_ME_PREVIEW_LINK,
  },
});
