import "server-only";
import type { Elevated } from "../auth/freshness";
import { requirePermission, type Principal } from "../auth/principal";
import { seal } from "../crypto/seal";
import { NotFoundError, UserFacingError } from "../errors";
import { env } from "../env";
import { recordEvent, withEvents, type EventTx } from "../events/record";
import { retentionClassOf } from "../events/retention";
import { SECURITY_EVENT_TYPES, type SecurityEventType } from "../events/types";
import { refusedUrlReason } from "./address-policy";
import type { CreateEndpointInput, UpdateEndpointInput } from "./validation";
import { isProduction, SECRET_PURPOSE } from "./worker";
import { generateSecret } from "./signing";

// Setup → Event Streams: an admin's changes to the org's webhook endpoints.
// Each is one transaction with its webhook.endpoint.* event (the URL and the
// endpoint id, never the secret). A secret is returned once, when it is made,
// and kept sealed (lib/crypto/seal.ts).

/** Endpoints per org: each is a worker's claim every time the org records an event. */
export const MAX_ENDPOINTS_PER_ORG = 10;
/** After a rotation the previous secret signs too, for this long. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

const sealSecret = (secret: string) => seal(Buffer.from(secret), SECRET_PURPOSE);

async function ownEndpoint(tx: EventTx, principal: Principal, endpointId: string) {
  const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: endpointId, orgId: principal.orgId } });
  if (!endpoint) throw new NotFoundError("That webhook endpoint");
  return endpoint;
}

async function lastSeqOf(tx: EventTx, orgId: string): Promise<bigint> {
  const counter = await tx.orgEventCounter.findUnique({ where: { orgId }, select: { lastSeq: true } });
  return counter?.lastSeq ?? 0n;
}

/** Adds an endpoint; it receives the org's events from now on (its own creation first). Returns its secret, shown once. */
export async function createEndpoint(ctx: Elevated, input: CreateEndpointInput): Promise<{ endpointId: string; secret: string }> {
  requirePermission(ctx, "events:read");
  const problem = refusedUrlReason(input.url, isProduction());
  if (problem) throw new UserFacingError("Check the highlighted fields.", { url: problem });
  const secret = generateSecret();
  return withEvents(async (tx) => {
    if ((await tx.webhookEndpoint.count({ where: { orgId: ctx.orgId } })) >= MAX_ENDPOINTS_PER_ORG) {
      throw new UserFacingError(`An org can have at most ${MAX_ENDPOINTS_PER_ORG} webhook endpoints. Delete one first.`);
    }
    const endpoint = await tx.webhookEndpoint.create({
      data: {
        orgId: ctx.orgId,
        url: input.url,
        description: input.description,
        eventTypes: allTypesAsEmpty(input.eventTypes),
        secretSealed: sealSecret(secret),
        deliveredSeq: await lastSeqOf(tx, ctx.orgId),
        createdById: ctx.kind === "session" ? ctx.userId : null,
      },
      select: { id: true, eventTypes: true },
    });
    await recordEvent(ctx, { type: "webhook.endpoint.created", data: { endpointId: endpoint.id, url: input.url, eventTypes: endpoint.eventTypes } }, tx);
    return { endpointId: endpoint.id, secret };
  });
}

/** Every type ticked is the same as none: all types, including those added later. */
function allTypesAsEmpty(types: string[]): string[] {
  const selectable = SECURITY_EVENT_TYPES.filter((t) => t !== "legacy.audit");
  return selectable.every((t) => types.includes(t)) ? [] : types;
}

export async function updateEndpoint(ctx: Elevated, input: UpdateEndpointInput): Promise<void> {
  requirePermission(ctx, "events:read");
  await withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, input.endpointId);
    const eventTypes = allTypesAsEmpty(input.eventTypes);
    const typesChanged = eventTypes.join(",") !== [...endpoint.eventTypes].sort().join(",");
    const descriptionChanged = input.description !== endpoint.description;
    if (!typesChanged && !descriptionChanged) return;
    await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, orgId: ctx.orgId }, data: { eventTypes, description: input.description } });
    const ref = { endpointId: endpoint.id, url: endpoint.url };
    if (typesChanged) {
      await recordEvent(ctx, { type: "webhook.endpoint.updated", data: { ...ref, eventTypes: { from: endpoint.eventTypes, to: eventTypes } } }, tx);
    }
    if (descriptionChanged) {
      await recordEvent(ctx, { type: "webhook.endpoint.updated", data: { ...ref, description: { from: endpoint.description, to: input.description } } }, tx);
    }
  });
}

export async function pauseEndpoint(ctx: Elevated, endpointId: string): Promise<void> {
  requirePermission(ctx, "events:read");
  await withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, endpointId);
    if (endpoint.state === "PAUSED") throw new UserFacingError("This endpoint is already paused.");
    const reason = "Paused by an admin";
    await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, orgId: ctx.orgId },
      data: { state: "PAUSED", pausedAt: new Date(), pausedReason: reason, leaseUntil: null },
    });
    await recordEvent(ctx, { type: "webhook.endpoint.paused", data: { endpointId: endpoint.id, url: endpoint.url, reason } }, tx);
  });
}

/** Delivery continues from the first event the endpoint has not received, with a clean failure record. */
export async function resumeEndpoint(ctx: Principal, endpointId: string): Promise<void> {
  requirePermission(ctx, "events:read");
  await withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, endpointId);
    if (endpoint.state === "ACTIVE") throw new UserFacingError("This endpoint isn't paused.");
    await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, orgId: ctx.orgId },
      data: { state: "ACTIVE", pausedAt: null, pausedReason: null, consecutiveFailures: 0, failingSince: null, nextAttemptAt: new Date(), leaseUntil: null },
    });
    await recordEvent(ctx, { type: "webhook.endpoint.resumed", data: { endpointId: endpoint.id, url: endpoint.url } }, tx);
  });
}

/** How far back events are kept for this endpoint's types (lib/events/retention.ts), or null when forever. */
export function replayHorizon(eventTypes: readonly string[], now = new Date()): Date | null {
  const config = env();
  const types = (eventTypes.length ? eventTypes : SECURITY_EVENT_TYPES) as readonly SecurityEventType[];
  const days = types.some((t) => retentionClassOf(t) === "activity")
    ? config.RETENTION_DAYS_CHANGES > 0
      ? Math.min(config.RETENTION_DAYS_ACTIVITY, config.RETENTION_DAYS_CHANGES)
      : config.RETENTION_DAYS_ACTIVITY
    : config.RETENTION_DAYS_CHANGES;
  return days > 0 ? new Date(now.getTime() - days * 86_400_000) : null;
}

/** Sends again every event from `from` on: the endpoint's cursor moves to just before the first event at or after it. */
export async function replayEndpoint(ctx: Principal, endpointId: string, from: Date, now = new Date()): Promise<{ events: number }> {
  requirePermission(ctx, "events:read");
  if (from.getTime() > now.getTime()) throw new UserFacingError("Check the highlighted fields.", { from: "Choose a time in the past." });
  return withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, endpointId);
    const horizon = replayHorizon(endpoint.eventTypes, now);
    if (horizon && from < horizon) {
      const days = Math.round((now.getTime() - horizon.getTime()) / 86_400_000);
      throw new UserFacingError("Check the highlighted fields.", {
        from: `Events are kept for ${days} days: choose a time after ${horizon.toISOString().slice(0, 16).replace("T", " ")} UTC.`,
      });
    }
    const first = await tx.securityEvent.findFirst({
      where: { orgId: ctx.orgId, createdAt: { gte: from } },
      orderBy: { seq: "asc" },
      select: { seq: true },
    });
    const last = await lastSeqOf(tx, ctx.orgId);
    const deliveredSeq = first ? first.seq - 1n : last;
    await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, orgId: ctx.orgId }, data: { deliveredSeq, nextAttemptAt: now, leaseUntil: null } });
    await recordEvent(ctx, { type: "webhook.endpoint.updated", data: { endpointId: endpoint.id, url: endpoint.url, replayFrom: from } }, tx);
    return { events: Number(last - deliveredSeq) };
  });
}

/** A new signing secret, returned once; the previous one keeps signing for a day, beside it. */
export async function rotateSecret(ctx: Elevated, endpointId: string, now = new Date()): Promise<{ secret: string }> {
  requirePermission(ctx, "events:read");
  const secret = generateSecret();
  await withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, endpointId);
    await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, orgId: ctx.orgId },
      data: {
        secretSealed: sealSecret(secret),
        previousSecretSealed: endpoint.secretSealed,
        previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS),
      },
    });
    await recordEvent(ctx, { type: "webhook.endpoint.secret_rotated", data: { endpointId: endpoint.id, url: endpoint.url } }, tx);
  });
  return { secret };
}

export async function deleteEndpoint(ctx: Elevated, endpointId: string): Promise<void> {
  requirePermission(ctx, "events:read");
  await withEvents(async (tx) => {
    const endpoint = await ownEndpoint(tx, ctx, endpointId);
    await tx.webhookEndpoint.deleteMany({ where: { id: endpoint.id, orgId: ctx.orgId } });
    await recordEvent(ctx, { type: "webhook.endpoint.deleted", data: { endpointId: endpoint.id, url: endpoint.url } }, tx);
  });
}
