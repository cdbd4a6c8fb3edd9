import { z } from "zod";
import { formatDateTime } from "../lib/format";
import { linkField, nameField, timeField } from "./fields";
import { defineEmailTemplate } from "./template";

/** To each admin of the org: a webhook endpoint failed for a day and was paused (lib/webhooks/worker.ts). */
export const webhookEndpointPausedEmail = defineEmailTemplate({
  name: "webhook-endpoint-paused",
  category: "alert",
  label: "Webhook endpoint paused",
  schema: z.object({
    name: nameField,
    orgName: nameField,
    url: z.string().max(2048),
    failingSince: timeField,
    failures: z.number().int().min(1),
    lastError: z.string().max(500),
    manageLink: linkField,
  }),
  subject: () => "A webhook endpoint was paused after a day of failures",
  body: (d) => [
    { type: "heading", text: "A webhook endpoint was paused" },
    {
      type: "paragraph",
      text: `Hi ${d.name}, Gatehouse could not deliver ${d.orgName}'s security events to a webhook endpoint for a day, so it paused the endpoint. No events are lost: when you resume it, delivery continues from the first event it missed, as long as events are kept.`,
    },
    {
      type: "facts",
      rows: [
        { label: "Endpoint", value: d.url },
        { label: "Failing since", value: formatDateTime(d.failingSince) },
        { label: "Failed attempts", value: String(d.failures) },
        { label: "Last error", value: d.lastError },
      ],
    },
    { type: "paragraph", text: "Fix the receiver, then resume the endpoint in Setup → Event Streams." },
    { type: "button", label: "Open Event Streams", url: d.manageLink },
  ],
  preview: {
    name: "Grace Hopper",
    orgName: "Acme",
    url: "https://siem.acme.test/hooks/gatehouse",
    failingSince: new Date("2026-11-22T09:30:00Z"),
    failures: 211,
    lastError: "Answered 503: Service Unavailable",
    manageLink: "http://localhost:3000/setup/event-streams",
  },
});
