import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { nameField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** Tells a user that an admin issued them a temporary verification code (the code goes through the admin, never by email). */
export const temporaryCodeIssuedEmail = defineEmailTemplate({
  name: "temporary-code-issued",
  category: "alert",
  label: "Temporary verification code issued",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    issuedBy: nameField,
    // Issued by whoever runs the Gatehouse server (npm run user:recover), for an org's only admin.
    byOperator: z.boolean().optional(),
    expiresAt: timeField,
    wasntMeLink: wasntMeField,
  }),
  subject: () => "An admin issued you a temporary verification code",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "An admin issued you a temporary verification code" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.byOperator ? "the operator of your Gatehouse server" : `${d.issuedBy}, an admin of ${d.orgName},`} issued a temporary verification code for your Gatehouse account. They will give it to you; use it once on the "Verify your identity" page after your password.`,
    },
    {
      type: "facts",
      rows: [
        { label: "Issued by", value: d.issuedBy },
        { label: "Expires", value: formatDateTime(d.expiresAt) },
      ],
    },
    ...wasntMeBlocks(d.wasntMeLink, "If you didn't ask for this code", "suspend"),
  ],
  preview: { name: "Grace Hopper", orgName: "Acme", issuedBy: "Ada Lovelace", expiresAt: new Date("2026-11-23T17:30:00Z"), wasntMeLink: WASNT_ME_PREVIEW_LINK },
});
