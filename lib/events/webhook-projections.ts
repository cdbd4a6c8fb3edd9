import "server-only";
import { formatDateTime } from "../format";
import type { Projector, ProjectorTable } from "./projection-rows";

// Event Streams (Setup → Event Streams, lib/webhooks): an admin's changes to a
// webhook endpoint, and the pause after a day of failures, in the Setup Audit
// Trail. The secret is never part of an event.

export const EVENT_STREAMS = "Event Streams";

const typesLabel = (types: string[]) => (types.length === 0 ? "All event types" : types.join(", "));

const updated: Projector<"webhook.endpoint.updated"> = ({ data }) => {
  if (data.replayFrom) {
    return { audit: { action: "Replayed webhook endpoint", section: EVENT_STREAMS, oldValue: data.url, newValue: `From ${formatDateTime(data.replayFrom)}` } };
  }
  if (data.eventTypes) {
    return {
      audit: {
        action: "Changed webhook event types",
        section: EVENT_STREAMS,
        field: data.url,
        oldValue: typesLabel(data.eventTypes.from),
        newValue: typesLabel(data.eventTypes.to),
      },
    };
  }
  return {
    audit: {
      action: "Changed webhook description",
      section: EVENT_STREAMS,
      field: data.url,
      oldValue: data.description?.from ?? null,
      newValue: data.description?.to ?? null,
    },
  };
};

export const webhookProjectors = {
  "webhook.endpoint.created": ({ data }) => ({
    audit: { action: "Added webhook endpoint", section: EVENT_STREAMS, newValue: `${data.url} (${typesLabel(data.eventTypes)})` },
  }),
  "webhook.endpoint.updated": updated,
  "webhook.endpoint.deleted": ({ data }) => ({ audit: { action: "Deleted webhook endpoint", section: EVENT_STREAMS, oldValue: data.url } }),
  "webhook.endpoint.paused": ({ data }) => ({
    audit: { action: "Paused webhook endpoint", section: EVENT_STREAMS, oldValue: data.url, newValue: data.reason },
  }),
  "webhook.endpoint.resumed": ({ data }) => ({ audit: { action: "Resumed webhook endpoint", section: EVENT_STREAMS, newValue: data.url } }),
  "webhook.endpoint.secret_rotated": ({ data }) => ({
    audit: { action: "Rotated webhook signing secret", section: EVENT_STREAMS, newValue: data.url },
  }),
} satisfies Partial<ProjectorTable>;
