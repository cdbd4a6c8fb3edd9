import { z } from "zod";
import { keyChangeFacts, keyChangeFields, keyChangePreview } from "./key-change";
import { defineEmailTemplate } from "./template";

/** Sent to a user whenever a security key is removed from their account. */
export const securityKeyRemovedEmail = defineEmailTemplate({
  name: "security-key-removed",
  category: "alert",
  label: "Security key removed",
  schema: z.object(keyChangeFields),
  subject: () => "A security key was removed from your Gatehouse account",
  body: (d) => [
    { type: "heading", text: "A security key was removed from your account" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, a security key was just removed from your ${d.orgName} account on Gatehouse. It can no longer be used to verify your identity.`,
    },
    keyChangeFacts(d),
    { type: "paragraph", text: "If this was you, there is nothing else to do." },
    {
      type: "paragraph",
      text: "If it wasn't you, someone may be logged in as you. Change your password, review your security keys, and tell your Gatehouse admin right away.",
    },
    { type: "button", label: "Review your security keys", url: d.manageLink },
  ],
  preview: keyChangePreview,
});
