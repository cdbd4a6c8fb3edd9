import "server-only";
import { z } from "zod";
import { auditEventsBefore } from "../audit/queries";
import type { TokenPrincipal } from "../auth/principal";
import { LOGIN_RESULTS } from "../auth/login/login";
import { loginAttemptsBefore } from "../auth/login/login-history";
import type { HistoryWindow } from "../db/listing";
import { VERIFICATION_ACTIVITIES, VERIFICATION_RESULTS } from "../verification/history";
import { verificationEventsBefore } from "../verification/queries";
import { DEFAULT_LIMIT, cursorParam, instantCursorCodec, limitParam, pageOf, pageSchema } from "./cursor";
import { validationProblem } from "./problem";

// Login History, Identity Verification History and the Setup Audit Trail as
// cursor reads, newest first, with the pages' filters and a time window.

const instant = z.iso.datetime();
const bound = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional()
    .meta({ description: `${what} (ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z).` });

const windowFields = {
  cursor: cursorParam.optional(),
  limit: limitParam,
  since: bound("Rows at or after this instant"),
  until: bound("Rows before this instant"),
};

function windowOf<Tie>(query: { limit?: number; since?: Date; until?: Date }, before: HistoryWindow<Tie>["before"]): HistoryWindow<Tie> {
  if (query.since && query.until && query.since.getTime() >= query.until.getTime()) {
    throw validationProblem([{ field: "until", message: "until must be after since." }]);
  }
  return { since: query.since ?? null, until: query.until ?? null, before, take: (query.limit ?? DEFAULT_LIMIT) + 1 };
}

// Login History.

export const loginHistoryQuery = z.strictObject({
  ...windowFields,
  result: z.enum(LOGIN_RESULTS).optional().meta({ description: "The page's Result filter." }),
});

export const loginAttemptSchema = z
  .object({ id: z.guid(), at: instant, username: z.string(), result: z.enum(LOGIN_RESULTS), ip: z.string().nullable(), userAgent: z.string().nullable() })
  .meta({ id: "LoginAttempt" });
export const loginHistoryPageSchema = pageSchema(loginAttemptSchema, "LoginHistoryPage");

const loginCursor = instantCursorCodec("login-history", z.guid());

export async function loginHistoryPage(principal: TokenPrincipal, query: z.output<typeof loginHistoryQuery>) {
  const before = query.cursor ? loginCursor.decode(query.cursor) : null;
  const rows = await loginAttemptsBefore(principal, { result: query.result ?? null }, windowOf(query, before && { createdAt: before.at, tie: before.tie }));
  return pageOf(
    rows,
    query.limit ?? DEFAULT_LIMIT,
    (last) => loginCursor.encode(last.createdAt, last.id),
    (row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      username: row.username,
      result: row.result as (typeof LOGIN_RESULTS)[number],
      ip: row.ip,
      userAgent: row.userAgent,
    }),
  );
}

// Identity Verification History.

export const verificationHistoryQuery = z.strictObject({
  ...windowFields,
  activity: z.enum(VERIFICATION_ACTIVITIES).optional().meta({ description: "The page's Activity filter." }),
  result: z.enum(VERIFICATION_RESULTS).optional().meta({ description: "The page's Result filter." }),
  user: z.string().trim().min(1).max(254).optional().meta({ description: "Part of a username, any case." }),
});

export const verificationEventSchema = z
  .object({
    id: z.guid(),
    at: instant,
    user: z.object({ id: z.guid(), name: z.string().nullable(), username: z.string().nullable() }),
    method: z.string(),
    activity: z.string(),
    result: z.string(),
    detail: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: "VerificationEvent" });
export const verificationHistoryPageSchema = pageSchema(verificationEventSchema, "VerificationHistoryPage");

const verificationCursor = instantCursorCodec("verification-history", z.guid());

export async function verificationHistoryPage(principal: TokenPrincipal, query: z.output<typeof verificationHistoryQuery>) {
  const before = query.cursor ? verificationCursor.decode(query.cursor) : null;
  const rows = await verificationEventsBefore(
    principal,
    { activity: query.activity ?? null, result: query.result ?? null, user: query.user ?? null },
    windowOf(query, before && { createdAt: before.at, tie: before.tie }),
  );
  return pageOf(
    rows,
    query.limit ?? DEFAULT_LIMIT,
    (last) => verificationCursor.encode(last.createdAt, last.id),
    (row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      user: { id: row.userId, name: row.user?.name ?? null, username: row.user?.username ?? null },
      method: row.method,
      activity: row.activity,
      result: row.result,
      detail: row.detail,
      ip: row.ip,
      userAgent: row.userAgent,
    }),
  );
}

// Setup Audit Trail.

export const auditTrailQuery = z.strictObject(windowFields);

export const auditEntrySchema = z
  .object({
    id: z.guid(),
    at: instant,
    actor: z.string().nullable().meta({ description: 'Who did it: a user\'s name, API token "name", or what the system ran.' }),
    action: z.string(),
    section: z.string(),
    field: z.string().nullable(),
    old: z.string().nullable(),
    new: z.string().nullable(),
    target: z.string().nullable().meta({ description: "The user it was about (and the key or method), when there is one." }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: "AuditEntry" });
export const auditTrailPageSchema = pageSchema(auditEntrySchema, "AuditTrailPage");

const auditCursor = instantCursorCodec("audit-trail", z.string().regex(/^\d{1,19}$/));

export async function auditTrailPage(principal: TokenPrincipal, query: z.output<typeof auditTrailQuery>) {
  const before = query.cursor ? auditCursor.decode(query.cursor) : null;
  const rows = await auditEventsBefore(principal, windowOf(query, before && { createdAt: before.at, tie: BigInt(before.tie) }));
  return pageOf(
    rows,
    query.limit ?? DEFAULT_LIMIT,
    (last) => auditCursor.encode(last.createdAt, last.seq.toString()),
    (row) => ({
      id: row.id,
      at: row.createdAt.toISOString(),
      actor: row.actorName,
      action: row.action,
      section: row.section,
      field: row.field,
      old: row.oldValue,
      new: row.newValue,
      target: row.target,
      ip: row.ip,
      userAgent: row.userAgent,
    }),
  );
}
