import { z } from "zod";
import { linkField, madeFromFields, madeFromRows, nameField } from "./fields";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, WASNT_ME_VALID_FOR_MS, wasntMeBlocks, wasntMeField } from "./wasnt-me";

// Sent when an authenticator app is connected to or disconnected from an account.

const fields = {
  name: nameField,
  orgName: nameField,
  ...madeFromFields,
  manageLink: linkField,
  wasntMeLink: wasntMeField,
};
const preview = {
  name: "Grace Hopper",
  orgName: "Acme",
  at: new Date("2026-11-23T09:30:00Z"),
  ip: "203.0.113.7",
  browser: "Chrome 156 on Linux",
  manageLink: "http://localhost:3000/settings/advanced",
  wasntMeLink: WASNT_ME_PREVIEW_LINK,
};
type Data = { name: string; orgName: string; at: Date; ip: string | null; browser: string; manageLink: string; wasntMeLink: string };

// Connecting an app is a change the link suspends; a disconnected app is gone, and the link secures the account.
const body = (what: string) => (d: Data) => [
  { type: "heading" as const, text: `An authenticator app was ${what}` },
  { type: "paragraph" as const, text: `Hi ${d.name}, an authenticator app was just ${what} your ${d.orgName} account on Gatehouse.` },
  {
    type: "facts" as const,
    rows: madeFromRows(d),
  },
  { type: "button" as const, label: "Review your account", url: d.manageLink },
  ...wasntMeBlocks(d.wasntMeLink, undefined, what.startsWith("connected") ? "suspend" : "secure"),
];

export const authenticatorAppConnectedEmail = defineEmailTemplate({
  name: "authenticator-app-connected",
  category: "alert",
  label: "Authenticator app connected",
  schema: z.object(fields),
  subject: () => "An authenticator app was connected to your Gatehouse account",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: body("connected to"),
  preview,
});

export const authenticatorAppDisconnectedEmail = defineEmailTemplate({
  name: "authenticator-app-disconnected",
  category: "alert",
  label: "Authenticator app disconnected",
  schema: z.object(fields),
  subject: () => "An authenticator app was disconnected from your Gatehouse account",
  secretValidForMs: WASNT_ME_VALID_FOR_MS,
  body: body("disconnected from"),
  preview,
});
