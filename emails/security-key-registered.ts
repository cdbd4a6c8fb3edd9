import { z } from "zod";
import { keyChangeFacts, keyChangeFields, keyChangePreview } from "./key-change";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** Sent to a user whenever a security key is added to their account. */
export const securityKeyRegisteredEmail = defineEmailTemplate({
  name: "security-key-registered",
  category: "alert",
  label: "Security key registered",
  schema: z.object({ ...keyChangeFields, wasntMeLink: wasntMeField }),
  subject: () => "A security key was registered to your Gatehouse account",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: (d) => [
    { type: "heading", text: "A security key was registered to your account" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, a security key was just added to your ${d.orgName} account on Gatehouse. It can now be used to verify your identity.`,
    },
    keyChangeFacts(d),
    { type: "paragraph", text: "If this was you, there is nothing else to do." },
    { type: "button", label: "Review your security keys", url: d.manageLink },
    ...wasntMeBlocks(d.wasntMeLink, undefined, "suspend"),
  ],
  preview: { ...keyChangePreview, wasntMeLink: WASNT_ME_PREVIEW_LINK },
});
