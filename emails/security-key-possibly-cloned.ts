import { z } from "zod";
import { keyChangeFacts, keyChangeFields, keyChangePreview } from "./key-change";
import { defineEmailTemplate } from "./template";

// A key answered with a sign counter that did not increase: a sign that its
// private key may exist twice. The key is blocked; the user and every admin
// of the org are told.

/** To the key's owner. */
export const securityKeyPossiblyClonedEmail = defineEmailTemplate({
  name: "security-key-possibly-cloned",
  category: "alert",
  label: "Possible cloned security key",
  schema: z.object(keyChangeFields),
  subject: () => "One of your security keys may have been copied",
  body: (d) => [
    { type: "heading", text: "One of your security keys may have been copied" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, your security key "${d.keyName}" just answered a verification with a signature counter lower than before. That can mean someone made a copy of it. Gatehouse blocked the key, and your ${d.orgName} admins were told.`,
    },
    keyChangeFacts(d),
    { type: "paragraph", text: "Remove the key from your account, register a new one, and talk to your Gatehouse admin." },
    { type: "button", label: "Review your security keys", url: d.manageLink },
  ],
  preview: keyChangePreview,
});

/** To each admin of the owner's org. */
export const securityKeyPossiblyClonedAdminEmail = defineEmailTemplate({
  name: "security-key-possibly-cloned-admin",
  category: "alert",
  label: "Possible cloned security key (admins)",
  schema: z.object({ ...keyChangeFields, username: z.string().max(254) }),
  subject: (d) => `Possible cloned security key: ${d.username}`,
  body: (d) => [
    { type: "heading", text: "Possible cloned security key" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, the security key "${d.keyName}" of ${d.username} in ${d.orgName} answered a verification with a signature counter lower than before, a sign that it may have been copied. Gatehouse refused the verification and blocked the key.`,
    },
    keyChangeFacts(d),
    { type: "paragraph", text: "Check with the user, and review their verification history and login history." },
    { type: "button", label: "Open Identity Verification History", url: d.manageLink },
  ],
  preview: { ...keyChangePreview, name: "Ada Lovelace", username: "grace@acme.test", manageLink: "http://localhost:3000/setup/verification-history" },
});
