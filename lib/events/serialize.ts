import type { SecurityEvent } from "../db/generated/client";

// One security event as readers outside Gatehouse see it: the body of a
// webhook delivery (lib/webhooks) and an item of the pull API
// (GET /api/v1/events), the same JSON in both. Stable field names; ids as
// stored (the event id is a ULID, users and credentials are UUIDs); times in
// ISO 8601 UTC. `data` is the type's own fields (lib/events/types.ts).

export interface SerializedEvent {
  id: string;
  /** The org's gapless sequence number: the order to apply events in. */
  seq: number;
  type: string;
  occurredAt: string;
  outcome: "success" | "failure";
  orgId: string;
  actor: { kind: string; id: string | null; name: string | null };
  target: {
    user: { id: string; name: string | null; username: string | null } | null;
    credential: { id: string; name: string | null; aaguid: string | null; modelVerified: boolean | null } | null;
    setting: { field: string; old: string | null; new: string | null } | null;
  };
  client: { ip: string | null; userAgent: string | null };
  data: Record<string, unknown>;
}

/** The stored columns serializeEvent reads. */
export type StoredEvent = Pick<
  SecurityEvent,
  | "id"
  | "orgId"
  | "seq"
  | "createdAt"
  | "type"
  | "outcome"
  | "actorKind"
  | "actorId"
  | "actorName"
  | "targetUserId"
  | "targetUserName"
  | "targetUsername"
  | "targetCredentialId"
  | "targetCredentialName"
  | "targetCredentialAaguid"
  | "targetCredentialModelVerified"
  | "field"
  | "oldValue"
  | "newValue"
  | "ip"
  | "userAgent"
  | "data"
>;

export function serializeEvent(event: StoredEvent): SerializedEvent {
  const data = event.data && typeof event.data === "object" && !Array.isArray(event.data) ? (event.data as Record<string, unknown>) : {};
  return {
    id: event.id,
    seq: Number(event.seq),
    type: event.type,
    occurredAt: event.createdAt.toISOString(),
    outcome: event.outcome === "failure" ? "failure" : "success",
    orgId: event.orgId,
    actor: { kind: event.actorKind, id: event.actorId, name: event.actorName },
    target: {
      user: event.targetUserId ? { id: event.targetUserId, name: event.targetUserName, username: event.targetUsername } : null,
      credential: event.targetCredentialId
        ? {
            id: event.targetCredentialId,
            name: event.targetCredentialName,
            aaguid: event.targetCredentialAaguid,
            modelVerified: event.targetCredentialModelVerified,
          }
        : null,
      setting: event.field ? { field: event.field, old: event.oldValue, new: event.newValue } : null,
    },
    client: { ip: event.ip, userAgent: event.userAgent },
    data,
  };
}
