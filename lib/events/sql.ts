// The statement that writes security events, shared by recordEvent (through
// Prisma in a change's transaction, or on the driver) and by the login's
// single-statement paths in raw SQL (lib/auth/login/pending-login.ts,
// lib/auth/login/verification-core.ts), so the rules exist once:
// - the events arrive as one jsonb array of EventRow (./record.ts `eventRow`);
// - a user target's name and username (and a user acting on themself, their
//   name), and a security key's name, AAGUID and verified model, are read
//   from their rows when the caller did not have them (a login knows ids);
// - each org's counter (OrgEventCounter) moves by the number of its events
//   with one upsert, which locks that org's counter row until the commit, and
//   the events take the numbers before it, in order: gapless per org, and a
//   rollback gives them back;
// - the history rows each event shows as (./projections.ts) are written with
//   it, under the event's id as a UUID; the Setup Audit Trail names a user or
//   token as the actor, and shows "System" for the system or nobody, as before.

const COLUMNS = `"ord" int, "id" text, "rowId" uuid, "orgId" uuid, "type" text, "outcome" text, "actorKind" text, "actorId" text, "actorName" text,
  "targetUserId" uuid, "targetUserName" text, "targetUsername" text, "targetCredentialId" uuid, "targetCredentialName" text,
  "targetCredentialAaguid" text, "targetCredentialModelVerified" boolean, "field" text, "oldValue" text, "newValue" text,
  "ip" text, "userAgent" text, "data" jsonb, "createdAt" timestamp, "audit" jsonb, "verification" jsonb, "login" jsonb`;

/** The user id an event built for a statement with a `subject` carries until the statement gives it its own. */
export const STATEMENT_SUBJECT = "00000000-0000-0000-0000-000000000000";

/**
 * The common table expressions (without `WITH`) that write the events of the
 * jsonb parameter `param` (e.g. "$14"). With `subject`, a FROM item of the
 * statement yielding "orgId" and "userId" (e.g. `(SELECT "orgId", "userId"
 * FROM p)`), the events are written once per row it yields, none when it
 * yields none, each taking its org and target user (and a user acting on
 * themself, their id) from that row. Names used: ev_in, ev_n, ev_c, ev_s,
 * ev_a, ev_v, ev_l.
 */
export function eventCtes(param: string, subject?: string): string {
  const input = subject
    ? `(SELECT a.x || jsonb_build_object('orgId', s."orgId", 'targetUserId', s."userId")
          || CASE WHEN a.x->>'actorId' = a.x->>'targetUserId' THEN jsonb_build_object('actorId', s."userId"::text) ELSE '{}'::jsonb END AS x
        FROM jsonb_array_elements(${param}::jsonb) AS a(x), ${subject} AS s) AS j`
    : `jsonb_array_elements(${param}::jsonb) AS j(x)`;
  return `ev_in AS (
       SELECT e.*, COALESCE(e."targetUserName", tu."name") AS "userName", COALESCE(e."targetUsername", tu."username") AS "userUsername",
         COALESCE(e."actorName", CASE WHEN e."actorKind" = 'user' AND e."actorId" = e."targetUserId"::text THEN tu."name" END) AS "actor",
         COALESCE(e."targetCredentialName", tk."name") AS "credentialName", COALESCE(e."targetCredentialAaguid", tk."aaguid") AS "credentialAaguid",
         COALESCE(e."targetCredentialModelVerified", tk."modelProven") AS "credentialVerified"
       FROM ${input} CROSS JOIN LATERAL jsonb_to_record(j.x) AS e(${COLUMNS})
       LEFT JOIN "User" tu ON tu."id" = e."targetUserId" AND tu."orgId" = e."orgId"
       LEFT JOIN "SecurityKey" tk ON tk."id" = e."targetCredentialId" AND tk."orgId" = e."orgId"
     ), ev_n AS (
       SELECT "orgId", count(*) AS n FROM ev_in GROUP BY "orgId"
     ), ev_c AS (
       INSERT INTO "OrgEventCounter" AS c ("orgId", "lastSeq") SELECT "orgId", n FROM ev_n ORDER BY "orgId"
       ON CONFLICT ("orgId") DO UPDATE SET "lastSeq" = c."lastSeq" + EXCLUDED."lastSeq"
       RETURNING c."orgId", c."lastSeq"
     ), ev_s AS (
       INSERT INTO "SecurityEvent" ("id", "orgId", "seq", "createdAt", "type", "outcome", "actorKind", "actorId", "actorName",
         "targetUserId", "targetUserName", "targetUsername", "targetCredentialId", "targetCredentialName", "targetCredentialAaguid",
         "targetCredentialModelVerified", "field", "oldValue", "newValue", "ip", "userAgent", "data")
       SELECT e."id", e."orgId", c."lastSeq" - n.n + row_number() OVER (PARTITION BY e."orgId" ORDER BY e."ord"), e."createdAt", e."type", e."outcome",
         e."actorKind", e."actorId", e."actor", e."targetUserId", e."userName", e."userUsername", e."targetCredentialId", e."credentialName",
         e."credentialAaguid", e."credentialVerified", e."field", e."oldValue", e."newValue", e."ip", e."userAgent", COALESCE(e."data", '{}')
       FROM ev_in e JOIN ev_c c ON c."orgId" = e."orgId" JOIN ev_n n ON n."orgId" = e."orgId"
     ), ev_a AS (
       INSERT INTO "AuditEvent" ("id", "orgId", "actorId", "actorName", "action", "section", "field", "oldValue", "newValue", "targetId", "ip", "userAgent", "createdAt")
       SELECT e."rowId", e."orgId", CASE WHEN e."actorKind" = 'user' THEN e."actorId"::uuid END,
         CASE WHEN e."actorKind" IN ('user', 'api-token') THEN e."actor" END, e.audit->>'action', e.audit->>'section',
         e.audit->>'field', e.audit->>'oldValue', e.audit->>'newValue', e.audit->>'targetId', e."ip", e."userAgent", e."createdAt"
       FROM ev_in e WHERE jsonb_typeof(e.audit) = 'object' ORDER BY e."ord"
     ), ev_v AS (
       INSERT INTO "VerificationEvent" ("id", "orgId", "userId", "method", "activity", "result", "detail", "ip", "userAgent", "createdAt")
       SELECT e."rowId", e."orgId", e."targetUserId", e.verification->>'method', e.verification->>'activity', e.verification->>'result',
         left(e.verification->>'detail', 500), e."ip", e."userAgent", e."createdAt"
       FROM ev_in e WHERE jsonb_typeof(e.verification) = 'object' ORDER BY e."ord"
     ), ev_l AS (
       INSERT INTO "LoginAttempt" ("id", "orgId", "userId", "username", "result", "ip", "userAgent", "createdAt")
       SELECT e."rowId", e."orgId", e."targetUserId", COALESCE(e."userUsername", ''), e.login->>'result', e."ip", e."userAgent", e."createdAt"
       FROM ev_in e WHERE jsonb_typeof(e.login) = 'object' ORDER BY e."ord"
     )`;
}

/** Writes the events of $1 (a jsonb array of EventRow): recordEvent's statement. */
export const INSERT_EVENTS = `WITH ${eventCtes("$1")} SELECT count(*) FROM ev_in`;
