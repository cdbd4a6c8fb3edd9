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
      text: `Hi ${d.name}, the security key "${d.keyName}" of ${d.username} in ${d.orgName} may have been copied. Gatehouse refused the verification and blocked the key.`,
    },
    {
      type: "paragraph",
      text: "Why: a security key counts its own uses and sends the count with every verification, so each count should be higher than the last one Gatehouse saw. This key sent a lower one. That happens when a copy of the key is used next to the original, and rarely when a key is reset.",
    },
    keyChangeFacts(d),
    {
      type: "paragraph",
      text: "Check with the user. On their page you can remove the key, or clear the flag if you're satisfied it wasn't copied (the key then works again).",
    },
    { type: "button", label: `Review ${d.username}'s security keys`, url: d.manageLink },
  ],
  preview: {
    ...keyChangePreview,
    name: "Ada Lovelace",
    username: "grace@acme.test",
    manageLink: "http://localhost:3000/setup/users/00000000-0000-4000-8000-000000000000",
  },
});
