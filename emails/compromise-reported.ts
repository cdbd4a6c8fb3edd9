import { z } from "zod";
import { formatDateTime, formatIp } from "../lib/format";
import { addressField, linkField, nameField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

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
    at: timeField,
    ip: z.string().max(64).nullable(),
    userLink: linkField,
  }),
  subject: (d) => `${d.userName} reported a change to their account they didn't make`,
  body: (d) => [
    { type: "heading", text: "A user reported “This wasn't me”" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, ${d.userName} (${d.username}) of ${d.orgName} said a change to their Gatehouse account wasn't them. Gatehouse signed them out everywhere, revoked their activated browsers, undid the change and emailed them a link to set a new password.`,
    },
    {
      type: "facts",
      rows: [
        { label: "What they reported", value: d.what },
        { label: "Reported", value: formatDateTime(d.at) },
        { label: "From IP address", value: formatIp(d.ip) },
      ],
    },
    { type: "paragraph", text: "Someone may know their password. Review their account and the Identity Verification History." },
    { type: "button", label: "Review the user", url: d.userLink },
  ],
  preview: {
    name: "Ada Lovelace",
    orgName: "Acme",
    userName: "Grace Hopper",
    username: "grace@acme.test",
    what: "A security key named “YubiKey 5 NFC” was registered.",
    at: new Date("2026-11-23T09:45:00Z"),
    ip: "203.0.113.7",
    userLink: "http://localhost:3000/setup/users/00000000-0000-4000-8000-000000000000",
  },
});
