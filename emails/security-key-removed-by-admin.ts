import { z } from "zod";
import { keyChangeFacts, keyChangeFields, keyChangePreview } from "./key-change";
import { nameField } from "./fields";
import { defineEmailTemplate } from "./template";

/** Sent to a user when an admin removes one of their security keys (a lost or stolen key). */
export const securityKeyRemovedByAdminEmail = defineEmailTemplate({
  name: "security-key-removed-by-admin",
  category: "alert",
  label: "Security key removed by an admin",
  schema: z.object({ ...keyChangeFields, removedBy: nameField, reason: z.string().trim().min(1).max(200) }),
  subject: () => "An admin removed a security key from your Gatehouse account",
  body: (d) => [
    { type: "heading", text: "An admin removed one of your security keys" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.removedBy}, an admin of ${d.orgName}, removed a security key from your Gatehouse account. It can no longer be used to verify your identity.`,
    },
    {
      type: "facts",
      rows: [
        { label: "Reason", value: d.reason },
        { label: "Removed by", value: d.removedBy },
      ],
    },
    keyChangeFacts(d),
    {
      type: "paragraph",
      text: "If you still have other keys or recovery codes, keep using them; register a new key when you can. If you didn't expect this, talk to your admin.",
    },
    { type: "button", label: "Review your security keys", url: d.manageLink },
  ],
  preview: { ...keyChangePreview, removedBy: "Ada Lovelace", reason: "Reported lost" },
});
