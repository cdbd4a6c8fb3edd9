import { z } from "zod";
import { formatDateTime, formatIp } from "../lib/format";
import { addressField, linkField, nameField, shortField, timeField } from "./fields";
import type { EmailBlock } from "./layout";
import { defineEmailTemplate } from "./template";

/** What happens next, by who recovers the account (lib/users/compromise.ts). */
function nextSteps(d: { userName: string; adminRecovery: boolean; byOperator: boolean; suspended: string[] }): EmailBlock[] {
  if (!d.adminRecovery) {
    return [{ type: "paragraph", text: "Someone may know their password. Review their account and the Identity Verification History." }];
  }
  return [
    { type: "heading", text: "Admin recovery required" },
    {
      type: "paragraph",
      text: d.byOperator
        ? `${d.userName} is your org's only active admin, so no admin can recover them: whoever runs your Gatehouse server must, with npm run user:recover. Until then their next login needs a temporary verification code.`
        : `No reset link was sent: whoever made the report may hold only their mailbox. Confirm with ${d.userName} in person or by phone, then on their page restore or remove ${d.suspended.length > 0 ? "each suspended verification method" : "their verification methods"}, reset their password and issue them a temporary verification code. Their next login needs that code.`,
    },
  ];
}

/** To every active admin of the org when a user confirms "This wasn't me". */
export const compromiseReportedAdminEmail = defineEmailTemplate({
  name: "compromise-reported-admin",
  category: "alert",
  label: "User reported “This wasn't me”",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    userName: nameField,
    username: addressField,
    what: z.string().trim().min(1).max(300),
    suspended: z.array(shortField).max(20),
    // "Admin recovery required": no reset link was sent; byOperator: the user is the org's only active admin.
    adminRecovery: z.boolean(),
    byOperator: z.boolean(),
    at: timeField,
    ip: z.string().max(64).nullable(),
    userLink: linkField,
  }),
  subject: (d) => `${d.userName} reported a change to their account they didn't make`,
  body: (d) => [
    { type: "heading", text: "A user reported “This wasn't me”" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.userName} (${d.username}) of ${d.orgName} said a change to their Gatehouse account wasn't them. Gatehouse signed them out everywhere, revoked their activated browsers and suspended what was reported${d.adminRecovery ? "" : ", and emailed them a link to set a new password"}.`,
    },
    {
      type: "facts",
      rows: [
        { label: "What they reported", value: d.what },
        { label: "Suspended", value: d.suspended.length > 0 ? d.suspended.join(", ") : "Nothing" },
        { label: "Reported", value: formatDateTime(d.at) },
        { label: "From IP address", value: formatIp(d.ip) },
      ],
    },
    ...nextSteps(d),
    { type: "button", label: "Review the user", url: d.userLink },
  ],
  preview: {
    name: "Ada Lovelace",
    orgName: "Acme",
    userName: "Grace Hopper",
    username: "grace@acme.test",
    what: "A security key named “YubiKey 5 NFC” was registered.",
    suspended: ["Security key “YubiKey 5 NFC”"],
    adminRecovery: true,
    byOperator: false,
    at: new Date("2026-11-23T09:45:00Z"),
    ip: "203.0.113.7",
    userLink: "http://localhost:3000/setup/users/00000000-0000-4000-8000-000000000000",
  },
});
