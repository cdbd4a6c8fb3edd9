import { z } from "zod";
import { keyChangeFacts, keyChangeFields, keyChangePreview } from "./key-change";
import { defineEmailTemplate } from "./template";

/** Sent to a user whenever a security key is added to their account. */
export const securityKeyRegisteredEmail = defineEmailTemplate({
  name: "security-key-registered",
  category: "alert",
  label: "Security key registered",
  schema: z.object(keyChangeFields),
  subject: () => "A security key was registered to your Gatehouse account",
  body: (d) => [
    { type: "heading", text: "A security key was registered to your account" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, a security key was just added to your ${d.orgName} account on Gatehouse. It can now be used to verify your identity.`,
    },
    keyChangeFacts(d),
    { type: "paragraph", text: "If this was you, there is nothing else to do." },
    {
      type: "paragraph",
      text: "If it wasn't you, someone may know your password. Remove the key in Advanced User Details, change your password, and tell your Gatehouse admin right away.",
    },
    { type: "button", label: "Review your security keys", url: d.manageLink },
  ],
  preview: keyChangePreview,
});
