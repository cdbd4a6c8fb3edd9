import "server-only";
import { z } from "zod";
import { ApiProblem } from "../api/problem";
import { cursorCodec, cursorParam, DEFAULT_LIMIT, limitParam, pageSchema } from "../api/cursor";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { replayHorizon } from "../webhooks/endpoints";
import { toOcsf } from "./ocsf";
import { serializeEvent } from "./serialize";
import { SECURITY_EVENT_TYPES } from "./types";

// The pull side of DESIGN.md section 13: the org's events oldest first, each
// once, in seq order, from an opaque cursor (the last seq read and its time).
// A cursor older than the events' retention answers 410: events after it may
// be gone, and a reader must know it missed them rather than skip them silently.

const eventsCursor = cursorCodec("events", z.tuple([z.string().regex(/^\d{1,19}$/), z.iso.datetime({ offset: false })]));

const typesParam = z
  .string()
  .max(4000)
  .transform((value) =>
    value
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(SECURITY_EVENT_TYPES)).min(1, "Name at least one event type."))
  .optional()
  .meta({ description: "Comma-separated event types to return (all when left out); the cursor still moves past the others." });

export const eventsQuery = z.strictObject({
  after: cursorParam.optional(),
  limit: limitParam,
  types: typesParam,
  format: z.enum(["json", "ocsf"]).optional().meta({ description: "ocsf: each event as an OCSF 1.x record (README, Security events)." }),
});

const eventSchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    type: z.string(),
    occurredAt: z.string(),
    outcome: z.enum(["success", "failure"]),
    orgId: z.string(),
    actor: z.object({ kind: z.string(), id: z.string().nullable(), name: z.string().nullable() }),
    target: z.object({
      user: z.object({ id: z.string(), name: z.string().nullable(), username: z.string().nullable() }).nullable(),
      credential: z.object({ id: z.string(), name: z.string().nullable(), aaguid: z.string().nullable(), modelVerified: z.boolean().nullable() }).nullable(),
      setting: z.object({ field: z.string(), old: z.string().nullable(), new: z.string().nullable() }).nullable(),
    }),
    client: z.object({ ip: z.string().nullable(), userAgent: z.string().nullable() }),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "SecurityEvent" });

const ocsfSchema = z.record(z.string(), z.unknown()).meta({ id: "OcsfRecord", description: "An OCSF 1.x record (class 3001, 3002, 3004 or 3005)." });

export const eventsPageSchema = pageSchema(z.union([eventSchema, ocsfSchema]), "SecurityEventsPage");

/**
 * Whether retention deleted an event after `after`: numbers are gapless, so a
 * missing one among those older than the horizon was swept. An idle org's old
 * cursor with nothing missing after it stays good.
 */
async function lostAfter(orgId: string, after: bigint, horizon: Date): Promise<boolean> {
  const older = await db().securityEvent.aggregate({
    where: { orgId, seq: { gt: after }, createdAt: { lt: horizon } },
    _count: { _all: true },
    _max: { seq: true },
  });
  const newest = older._max.seq;
  if (newest !== null && BigInt(older._count._all) !== newest - after) return true;
  const next = await db().securityEvent.findFirst({ where: { orgId, seq: { gt: newest ?? after } }, orderBy: { seq: "asc" }, select: { seq: true } });
  return next !== null && next.seq !== (newest ?? after) + 1n;
}

/** One page of the org's events after the cursor; `nextCursor` is where the next read starts (the same one when nothing new came). */
export async function eventsPage(principal: Principal, query: z.output<typeof eventsQuery>, now = new Date()) {
  requirePermission(principal, "events:read");
  const limit = query.limit ?? DEFAULT_LIMIT;
  let after = 0n;
  if (query.after) {
    const [seq, at] = eventsCursor.decode(query.after);
    after = BigInt(seq);
    const horizon = replayHorizon(query.types ?? [], now);
    if (horizon && new Date(at) < horizon && (await lostAfter(principal.orgId, after, horizon))) {
      throw new ApiProblem("gone", "Some events after this cursor were deleted (they are older than the org keeps them). Start again without a cursor.");
    }
  }
  const rows = await db().securityEvent.findMany({
    where: { orgId: principal.orgId, seq: { gt: after }, ...(query.types ? { type: { in: query.types } } : {}) },
    orderBy: { seq: "asc" },
    take: limit,
  });
  const last = rows.at(-1);
  const nextCursor = last ? eventsCursor.encode([String(last.seq), last.createdAt.toISOString()]) : (query.after ?? null);
  return {
    items: rows.map((row) => (query.format === "ocsf" ? toOcsf(serializeEvent(row)) : serializeEvent(row))),
    nextCursor,
  };
}
