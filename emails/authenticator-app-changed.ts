import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { linkField, nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

// Sent when an authenticator app is connected to or disconnected from an account.

const fields = { name: nameField, orgName: nameField, at: timeField, ip: z.string().max(64).nullable(), browser: shortField, manageLink: linkField };
const preview = {
  name: "Grace Hopper",
  orgName: "Acme",
  at: new Date("2026-11-23T09:30:00Z"),
  ip: "203.0.113.7",
  browser: "Chrome 156 on Linux",
  manageLink: "http://localhost:3000/settings/advanced",
};
type Data = { name: string; orgName: string; at: Date; ip: string | null; browser: string; manageLink: string };

const body = (what: string) => (d: Data) => [
  { type: "heading" as const, text: `An authenticator app was ${what}` },
  { type: "paragraph" as const, text: `Hi ${d.name}, an authenticator app was just ${what} your ${d.orgName} account on Gatehouse.` },
  {
    type: "facts" as const,
    rows: [
      { label: "Time", value: formatDateTime(d.at) },
      { label: "IP address", value: d.ip ?? "Unknown" },
      { label: "Browser", value: d.browser },
    ],
  },
  {
    type: "paragraph" as const,
    text: "If it wasn't you, someone may be logged in as you. Change your password, review your verification methods, and tell your Gatehouse admin right away.",
  },
  { type: "button" as const, label: "Review your account", url: d.manageLink },
];

export const authenticatorAppConnectedEmail = defineEmailTemplate({
  name: "authenticator-app-connected",
  category: "alert",
  label: "Authenticator app connected",
  schema: z.object(fields),
  subject: () => "An authenticator app was connected to your Gatehouse account",
  body: body("connected to"),
  preview,
});

export const authenticatorAppDisconnectedEmail = defineEmailTemplate({
  name: "authenticator-app-disconnected",
  category: "alert",
  label: "Authenticator app disconnected",
  schema: z.object(fields),
  subject: () => "An authenticator app was disconnected from your Gatehouse account",
  body: body("disconnected from"),
  preview,
});
