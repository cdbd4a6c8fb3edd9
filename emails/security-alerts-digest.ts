import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { nameField, shortField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** Alerts a digest lists one by one; older ones are counted. */
export const DIGEST_LISTED_ALERTS = 30;

/**
 * Security alerts to one address past the hourly cap (lib/email/alert-cap.ts):
 * an org's older waiting alerts, listed here instead of one email each. The
 * org's newest alert goes out on its own, with its "This wasn't me" link.
 */
export const securityAlertsDigestEmail = defineEmailTemplate({
  name: "security-alerts-digest",
  category: "alert",
  label: "Security alerts digest",
  schema: z.object({
    orgName: nameField,
    // Every alert folded into the digest, of which the newest DIGEST_LISTED_ALERTS are listed.
    total: z.number().int().min(1).max(1_000_000),
    alerts: z
      .array(z.object({ subject: shortField, at: timeField }))
      .min(1)
      .max(DIGEST_LISTED_ALERTS),
  }),
  subject: (d) => `${d.total} more Gatehouse security alerts about your ${d.orgName} account`,
  body: (d) => [
    { type: "heading", text: "Security alerts we grouped" },
    {
      type: "paragraph",
      text: `Hello, this address got many Gatehouse security alerts in the last hour, so instead of ${d.total} separate emails about your ${d.orgName} account, here they are in one. The newest alert comes in an email of its own, with its “This wasn't me” button.`,
    },
    { type: "facts", rows: d.alerts.map((alert) => ({ label: formatDateTime(alert.at), value: alert.subject })) },
    ...(d.total > d.alerts.length ? [{ type: "paragraph" as const, text: `${d.total - d.alerts.length} older alerts are not listed here.` }] : []),
    {
      type: "note",
      text: `If any of these wasn't you, use “This wasn't me” in the newest alert, or tell an admin of ${d.orgName}. If you have no ${d.orgName} account, someone may have used your address: you can ignore these emails.`,
    },
  ],
  preview: {
    orgName: "Acme",
    total: 2,
    alerts: [
      { subject: "An admin issued you a temporary verification code", at: new Date("2026-11-23T09:40:00Z") },
      { subject: "A security key was added to your Gatehouse account", at: new Date("2026-11-23T09:30:00Z") },
    ],
  },
});
