-- Typed security events (DESIGN.md section 11, issue 25 item 2): one SecurityEvent row per security-relevant change, numbered
-- per org by OrgEventCounter. The history pages' rows are written from these from now on; the rows they hold already are
-- copied in below, typed by their action, activity or result, each org's numbered in the order they were written.

-- CreateTable
CREATE TABLE "SecurityEvent" (
    "id" TEXT NOT NULL,
    "orgId" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "type" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "targetUserId" UUID,
    "targetUserName" TEXT,
    "targetUsername" TEXT,
    "targetCredentialId" UUID,
    "targetCredentialName" TEXT,
    "targetCredentialAaguid" TEXT,
    "targetCredentialModelVerified" BOOLEAN,
    "field" TEXT,
    "oldValue" TEXT,
    "newValue" TEXT,
    "ip" TEXT,
    "userAgent" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "SecurityEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrgEventCounter" (
    "orgId" UUID NOT NULL,
    "lastSeq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "OrgEventCounter_pkey" PRIMARY KEY ("orgId")
);

-- CreateIndex
CREATE INDEX "SecurityEvent_orgId_createdAt_idx" ON "SecurityEvent"("orgId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SecurityEvent_orgId_seq_key" ON "SecurityEvent"("orgId", "seq");

-- AddForeignKey
ALTER TABLE "SecurityEvent" ADD CONSTRAINT "SecurityEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrgEventCounter" ADD CONSTRAINT "OrgEventCounter_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Org"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A ULID for a row written at `t` (lib/events/ulid.ts does the same for new events); dropped at the end.
CREATE FUNCTION "gatehouse_migration_ulid"(t TIMESTAMP) RETURNS TEXT LANGUAGE sql VOLATILE AS $$
  SELECT (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (((floor(extract(epoch FROM t) * 1000)::bigint >> (5 * (9 - i))) & 31) + 1)::int, 1), '' ORDER BY i)
          FROM generate_series(0, 9) AS i)
      || (SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', floor(random() * 32)::int + 1, 1), '') FROM generate_series(1, 16))
$$;

CREATE TEMPORARY TABLE "migrated_event" AS
-- Setup Audit Trail rows.
SELECT a."orgId", a."createdAt", 1 AS source, a."seq" AS source_order,
  CASE
    WHEN a."action" = 'Created org' THEN 'org.created'
    WHEN a."action" = 'Email refused: quota reached' THEN 'org.email.refused'
    WHEN a."action" = 'Changed session settings' THEN 'settings.updated'
    WHEN a."action" = 'Created user' THEN 'user.created'
    WHEN a."action" = 'Sent invitation' THEN 'user.invitation.sent'
    WHEN a."action" = 'Set password from invitation' THEN 'user.invitation.accepted'
    WHEN a."action" = 'Changed role' THEN 'user.role.changed'
    WHEN a."action" = 'Deactivated user' THEN 'user.deactivated'
    WHEN a."action" = 'Reactivated user' THEN 'user.reactivated'
    WHEN a."action" IN ('Ended session', 'Ended session: IP address changed') THEN 'user.session.ended'
    WHEN a."action" = 'Revoked activated device' THEN 'user.device.revoked'
    WHEN a."action" = 'User locked out' THEN 'user.login.locked_out'
    WHEN a."action" = 'Removed security key' THEN 'user.security_key.removed'
    WHEN a."action" = 'Cleared possible cloned key flag' THEN 'user.security_key.flag_cleared'
    WHEN a."action" = 'Disconnected authenticator app' THEN 'user.authenticator_app.disconnected'
    WHEN a."action" = 'Invalidated recovery codes' THEN 'user.recovery_codes.invalidated'
    WHEN a."action" = 'Issued temporary verification code' THEN 'user.temporary_code.issued'
    WHEN a."action" = 'Reset password with emailed link' THEN 'user.password.reset'
    WHEN a."action" = 'Password reset requested' THEN 'user.password.reset_requested'
    WHEN a."action" = 'Reset password' THEN 'user.password.reset_by_admin'
    WHEN a."action" = 'Reported “This wasn''t me”' THEN 'user.compromise.reported'
    WHEN a."action" LIKE 'Restored suspended %' THEN 'user.suspended_factor.restored'
    WHEN a."action" LIKE 'Removed suspended %' THEN 'user.suspended_factor.removed'
    WHEN a."action" = 'Cleared “Admin recovery required”' THEN 'user.admin_recovery.cleared'
    ELSE 'legacy.audit'
  END AS "type",
  CASE WHEN a."action" IN ('User locked out', 'Email refused: quota reached') THEN 'failure' ELSE 'success' END AS "outcome",
  CASE WHEN a."actorId" IS NOT NULL THEN 'user' WHEN a."actorName" IS NOT NULL THEN 'system' ELSE 'anonymous' END AS "actorKind",
  a."actorId"::text AS "actorId", a."actorName",
  CASE WHEN a."targetId" ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN a."targetId"::uuid END AS "targetUserId",
  CASE WHEN a."action" = 'Changed session settings' THEN a."field" END AS "field",
  CASE WHEN a."action" = 'Changed session settings' THEN a."oldValue" END AS "oldValue",
  CASE WHEN a."action" = 'Changed session settings' THEN a."newValue" END AS "newValue",
  a."ip", a."userAgent",
  jsonb_strip_nulls(jsonb_build_object('migrated', 'AuditEvent', 'action', a."action", 'section', a."section", 'field', a."field",
    'oldValue', a."oldValue", 'newValue', a."newValue")) AS "data"
FROM "AuditEvent" a
UNION ALL
-- Identity Verification History rows: the user verified (or was verified) themself, except a key an admin removed.
SELECT v."orgId", v."createdAt", 2, row_number() OVER (ORDER BY v."createdAt", v."id"),
  CASE
    WHEN v."activity" IN ('Login', 'Device activation', 'Re-authentication', 'Prove email for enrolment')
      THEN CASE WHEN v."result" = 'Succeeded' THEN 'user.verification.succeeded' ELSE 'user.verification.failed' END
    WHEN v."activity" = 'Register security key'
      THEN CASE WHEN v."result" = 'Succeeded' THEN 'user.security_key.registered' ELSE 'user.security_key.registration_failed' END
    WHEN v."activity" = 'Remove security key' THEN 'user.security_key.removed'
    WHEN v."activity" = 'Generate recovery codes' THEN 'user.recovery_codes.generated'
    WHEN v."activity" = 'Connect authenticator app' THEN 'user.authenticator_app.connected'
    WHEN v."activity" = 'Disconnect authenticator app' THEN 'user.authenticator_app.disconnected'
    WHEN v."activity" = 'Change password' THEN 'user.password.changed'
    WHEN v."activity" = 'Reset password' THEN 'user.password.reset'
    ELSE 'user.compromise.reported'
  END,
  CASE WHEN v."result" = 'Succeeded' THEN 'success' ELSE 'failure' END,
  'user', v."userId"::text, u."name", v."userId", NULL, NULL, NULL, v."ip", v."userAgent",
  jsonb_strip_nulls(jsonb_build_object('migrated', 'VerificationEvent', 'method', v."method", 'activity', v."activity", 'result', v."result", 'detail', v."detail"))
FROM "VerificationEvent" v LEFT JOIN "User" u ON u."id" = v."userId"
-- One change wrote both an audit row and this one (an admin removing a key, a reset, "This wasn't me"): the audit
-- row, which names the right actor, is its event; this one is not a second fact.
WHERE NOT EXISTS (
  SELECT 1 FROM "AuditEvent" a
  WHERE a."orgId" = v."orgId" AND a."targetId" = v."userId"::text
    AND abs(extract(epoch FROM (a."createdAt" - v."createdAt"))) < 2
    AND v."activity" NOT IN ('Login', 'Device activation', 'Re-authentication', 'Prove email for enrolment', 'Register security key',
      'Generate recovery codes', 'Connect authenticator app', 'Disconnect authenticator app', 'Change password')
)
UNION ALL
-- Login History rows of an org (an unknown username's attempt, from before those stopped being written, belongs to none).
SELECT l."orgId", l."createdAt", 3, row_number() OVER (ORDER BY l."createdAt", l."id"),
  CASE l."result"
    WHEN 'Success' THEN 'user.login.succeeded'
    WHEN 'Verification required' THEN 'user.login.verification_required'
    WHEN 'Locked out' THEN 'user.login.locked_out'
    WHEN 'Verification failed' THEN 'user.verification.failed'
    ELSE 'user.login.failed'
  END,
  CASE WHEN l."result" IN ('Success', 'Verification required') THEN 'success' ELSE 'failure' END,
  CASE WHEN l."result" IN ('Success', 'Verification required', 'Verification failed') AND l."userId" IS NOT NULL THEN 'user' ELSE 'anonymous' END,
  CASE WHEN l."result" IN ('Success', 'Verification required', 'Verification failed') THEN l."userId"::text END,
  CASE WHEN l."result" IN ('Success', 'Verification required', 'Verification failed') THEN u."name" END,
  l."userId", NULL, NULL, NULL, l."ip", l."userAgent",
  jsonb_build_object('migrated', 'LoginAttempt', 'result', l."result", 'username', l."username")
FROM "LoginAttempt" l LEFT JOIN "User" u ON u."id" = l."userId"
WHERE l."orgId" IS NOT NULL
  -- A lockout also wrote an audit row, a failed /verify step a verification row: those are its event.
  AND NOT (l."result" = 'Locked out' AND EXISTS (
    SELECT 1 FROM "AuditEvent" a WHERE a."orgId" = l."orgId" AND a."targetId" = l."userId"::text
      AND abs(extract(epoch FROM (a."createdAt" - l."createdAt"))) < 2))
  AND NOT (l."result" = 'Verification failed' AND EXISTS (
    SELECT 1 FROM "VerificationEvent" v WHERE v."orgId" = l."orgId" AND v."userId" = l."userId" AND v."result" <> 'Succeeded'
      AND abs(extract(epoch FROM (v."createdAt" - l."createdAt"))) < 2));

INSERT INTO "SecurityEvent" ("id", "orgId", "seq", "createdAt", "type", "outcome", "actorKind", "actorId", "actorName",
  "targetUserId", "targetUserName", "targetUsername", "field", "oldValue", "newValue", "ip", "userAgent", "data")
SELECT "gatehouse_migration_ulid"(e."createdAt"), e."orgId",
  row_number() OVER (PARTITION BY e."orgId" ORDER BY e."createdAt", e.source, e.source_order),
  e."createdAt", e."type", e."outcome", e."actorKind", e."actorId", e."actorName",
  e."targetUserId", t."name", t."username", e."field", e."oldValue", e."newValue", e."ip", e."userAgent", e."data"
FROM "migrated_event" e LEFT JOIN "User" t ON t."id" = e."targetUserId" AND t."orgId" = e."orgId";

INSERT INTO "OrgEventCounter" ("orgId", "lastSeq")
SELECT "orgId", max("seq") FROM "SecurityEvent" GROUP BY "orgId";

DROP TABLE "migrated_event";
DROP FUNCTION "gatehouse_migration_ulid"(TIMESTAMP);
