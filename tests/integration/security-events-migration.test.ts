import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { migrate, readMigrations } from "@/lib/db/migrate";

// The rows the history pages held before typed events are copied into SecurityEvent by the migration that adds it:
// typed by their action, activity or result, numbered per org in the order they were written, the counters set.

const MIGRATION = "_security_events";
let database: Database;

beforeAll(async () => {
  database = openDatabase({ dataDir: "memory://" });
  const all = readMigrations();
  const index = all.findIndex((m) => m.name.endsWith(MIGRATION));
  expect(index).toBeGreaterThan(0);
  await migrate(database.raw, all.slice(0, index));
});
afterAll(async () => {
  await database.close();
});

const ORG_A = "00000000-0000-4000-8000-00000000000a";
const ORG_B = "00000000-0000-4000-8000-00000000000b";
const DANA = "00000000-0000-4000-8000-0000000000d1";
const ADMIN = "00000000-0000-4000-8000-0000000000a1";

describe("migrating the history rows into SecurityEvent", () => {
  it("types each row, names its target and actor, and numbers each org's events gaplessly in time order", async () => {
    const q = (sql: string, params: unknown[] = []) => database.raw.query(sql, params);
    await q(`INSERT INTO "Org" ("id", "slug", "name", "updatedAt") VALUES ($1, 'a', 'A', now()), ($2, 'b', 'B', now())`, [ORG_A, ORG_B]);
    await q(
      `INSERT INTO "User" ("id", "orgId", "username", "email", "name", "updatedAt") VALUES
       ($1, $3, 'dana@a.test', 'dana@a.test', 'Dana Lee', now()), ($2, $3, 'admin@a.test', 'admin@a.test', 'Ada Admin', now())`,
      [DANA, ADMIN, ORG_A],
    );
    await q(
      `INSERT INTO "AuditEvent" ("id", "orgId", "actorId", "actorName", "action", "section", "field", "oldValue", "newValue", "targetId", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'Ada Admin', 'Changed role', 'Users', 'Role', 'Standard', 'Admin', $3, '2026-01-01 10:00:02'),
       (gen_random_uuid(), $1, $2, 'Ada Admin', 'Changed session settings', 'Session Settings', 'Require MFA', 'Off', 'On', NULL, '2026-01-01 10:00:01'),
       (gen_random_uuid(), $1, NULL, NULL, 'Password reset requested', 'Users', NULL, NULL, 'dana@a.test', $3, '2026-01-01 10:00:04'),
       (gen_random_uuid(), $4, NULL, NULL, 'Something from long ago', 'Org', NULL, NULL, 'x', NULL, '2026-01-01 09:00:00')`,
      [ORG_A, ADMIN, DANA, ORG_B],
    );
    await q(
      `INSERT INTO "VerificationEvent" ("id", "orgId", "userId", "method", "activity", "result", "detail", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'Security key', 'Register security key', 'Succeeded', 'YubiKey', '2026-01-01 10:00:03'),
       (gen_random_uuid(), $1, $2, 'Password', 'Re-authentication', 'Failed', 'Wrong password', '2026-01-01 10:00:05')`,
      [ORG_A, DANA],
    );
    await q(
      `INSERT INTO "LoginAttempt" ("id", "orgId", "userId", "username", "result", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'dana@a.test', 'Invalid password', '2026-01-01 10:00:00'),
       (gen_random_uuid(), NULL, NULL, 'nobody@x.test', 'Invalid password', '2026-01-01 10:00:00')`,
      [ORG_A, DANA],
    );

    await migrate(database.raw);

    const rows = await q(
      `SELECT "orgId", "seq"::int AS seq, "type", "outcome", "actorKind", "actorName", "targetUserName", "targetUsername", "field", "oldValue", "newValue", length("id") AS idlength
       FROM "SecurityEvent" ORDER BY "orgId", "seq"`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ orgId: ORG_A, seq: 1, type: "user.login.failed", outcome: "failure", actorKind: "anonymous", targetUsername: "dana@a.test" }),
      expect.objectContaining({
        orgId: ORG_A,
        seq: 2,
        type: "settings.updated",
        actorKind: "user",
        actorName: "Ada Admin",
        field: "Require MFA",
        oldValue: "Off",
        newValue: "On",
      }),
      expect.objectContaining({ orgId: ORG_A, seq: 3, type: "user.role.changed", targetUserName: "Dana Lee", idlength: 26 }),
      expect.objectContaining({ orgId: ORG_A, seq: 4, type: "user.security_key.registered", actorKind: "user", actorName: "Dana Lee" }),
      expect.objectContaining({ orgId: ORG_A, seq: 5, type: "user.password.reset_requested", actorKind: "anonymous" }),
      expect.objectContaining({ orgId: ORG_A, seq: 6, type: "user.verification.failed", outcome: "failure" }),
      expect.objectContaining({ orgId: ORG_B, seq: 1, type: "legacy.audit" }),
    ]);
    const counters = await q(`SELECT "orgId", "lastSeq"::int AS last FROM "OrgEventCounter" ORDER BY "orgId"`);
    expect(counters).toEqual([
      { orgId: ORG_A, last: 6 },
      { orgId: ORG_B, last: 1 },
    ]);
    const [legacy] = await q(`SELECT "data" FROM "SecurityEvent" WHERE "orgId" = $1`, [ORG_B]);
    expect(legacy).toEqual({ data: { migrated: "AuditEvent", action: "Something from long ago", section: "Org", newValue: "x" } });
    const [{ fn }] = (await q(`SELECT count(*)::int AS fn FROM pg_proc WHERE proname = 'gatehouse_migration_ulid'`)) as [{ fn: number }];
    expect(fn).toBe(0);
  });
});
