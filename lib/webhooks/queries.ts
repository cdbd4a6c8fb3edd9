import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { replayHorizon } from "./endpoints";

// The Event Streams page's view of each endpoint: its settings and its health.

export interface EndpointHealth {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  state: "ACTIVE" | "PAUSED";
  pausedAt: Date | null;
  pausedReason: string | null;
  lastSuccessAt: Date | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  consecutiveFailures: number;
  failingSince: Date | null;
  lastError: string | null;
  /** Rotation overlap: until when the previous secret still signs. */
  previousSecretUntil: Date | null;
  createdAt: Date;
  /** The org's events not yet delivered (or skipped by type). */
  lagEvents: number;
  /** Age of the oldest of them, in seconds; 0 when none waits. */
  lagSeconds: number;
  /** The earliest time "Replay from" accepts; null when events are kept forever. */
  replayHorizon: Date | null;
}

export async function listEndpoints(principal: Principal, now = new Date()): Promise<EndpointHealth[]> {
  requirePermission(principal, "events:read");
  const prisma = db();
  const [endpoints, counter] = await Promise.all([
    prisma.webhookEndpoint.findMany({ where: { orgId: principal.orgId }, orderBy: { createdAt: "asc" } }),
    prisma.orgEventCounter.findUnique({ where: { orgId: principal.orgId }, select: { lastSeq: true } }),
  ]);
  const lastSeq = counter?.lastSeq ?? 0n;
  return Promise.all(
    endpoints.map(async (e) => {
      const oldest =
        lastSeq > e.deliveredSeq
          ? await prisma.securityEvent.findFirst({
              where: { orgId: principal.orgId, seq: { gt: e.deliveredSeq } },
              orderBy: { seq: "asc" },
              select: { createdAt: true },
            })
          : null;
      return {
        id: e.id,
        url: e.url,
        description: e.description,
        eventTypes: e.eventTypes,
        state: e.state,
        pausedAt: e.pausedAt,
        pausedReason: e.pausedReason,
        lastSuccessAt: e.lastSuccessAt,
        lastAttemptAt: e.lastAttemptAt,
        nextAttemptAt: e.nextAttemptAt,
        consecutiveFailures: e.consecutiveFailures,
        failingSince: e.failingSince,
        lastError: e.lastError,
        previousSecretUntil: e.previousSecretUntil && e.previousSecretUntil > now ? e.previousSecretUntil : null,
        createdAt: e.createdAt,
        lagEvents: Number(lastSeq > e.deliveredSeq ? lastSeq - e.deliveredSeq : 0n),
        lagSeconds: oldest ? Math.max(0, Math.round((now.getTime() - oldest.createdAt.getTime()) / 1000)) : 0,
        replayHorizon: replayHorizon(e.eventTypes, now),
      };
    }),
  );
}
