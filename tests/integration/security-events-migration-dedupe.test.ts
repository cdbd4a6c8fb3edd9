import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { migrate, readMigrations } from "@/lib/db/migrate";

// Before typed events, one change sometimes wrote two history rows (an admin removing a key: an audit row and a
// verification row; a lockout: an audit row and a login row; a failed /verify step: a verification row and a login
// row). The migration makes one event of each such pair, named after the row with the right actor.

let database: Database;

beforeAll(async () => {
  database = openDatabase({ dataDir: "memory://" });
  const all = readMigrations();
  const index = all.findIndex((m) => m.name.endsWith("_security_events"));
  await migrate(database.raw, all.slice(0, index));
});
afterAll(async () => {
  await database.close();
});

const ORG = "00000000-0000-4000-8000-00000000000c";
const DANA = "00000000-0000-4000-8000-0000000000d2";
const ADMIN = "00000000-0000-4000-8000-0000000000a2";

describe("migrating history rows that one change wrote twice", () => {
  it("makes one event of each pair, with the admin as the actor of the admin's change", async () => {
    const q = (sql: string, params: unknown[] = []) => database.raw.query(sql, params);
    await q(`INSERT INTO "Org" ("id", "slug", "name", "updatedAt") VALUES ($1, 'c', 'C', now())`, [ORG]);
    await q(
      `INSERT INTO "User" ("id", "orgId", "username", "email", "name", "updatedAt") VALUES
       ($1, $3, 'dana@c.test', 'dana@c.test', 'Dana Lee', now()), ($2, $3, 'admin@c.test', 'admin@c.test', 'Ada Admin', now())`,
      [DANA, ADMIN, ORG],
    );
    await q(
      `INSERT INTO "AuditEvent" ("id", "orgId", "actorId", "actorName", "action", "section", "newValue", "targetId", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'Ada Admin', 'Removed security key', 'Users', 'YubiKey: lost', $3, '2026-02-01 10:00:00.100'),
       (gen_random_uuid(), $1, NULL, NULL, 'Locked out', 'Users', 'dana@c.test', $3, '2026-02-01 11:00:00.200')`,
      [ORG, ADMIN, DANA],
    );
    await q(
      `INSERT INTO "VerificationEvent" ("id", "orgId", "userId", "method", "activity", "result", "detail", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'Security key', 'Remove security key', 'Succeeded', 'Removed by Ada Admin: lost', '2026-02-01 10:00:00.100'),
       (gen_random_uuid(), $1, $2, 'Authenticator app', 'Login', 'Failed', 'Wrong code', '2026-02-01 12:00:00.300'),
       (gen_random_uuid(), $1, $2, 'Security key', 'Register security key', 'Succeeded', 'YubiKey', '2026-02-01 09:00:00.000')`,
      [ORG, DANA],
    );
    await q(
      `INSERT INTO "LoginAttempt" ("id", "orgId", "userId", "username", "result", "createdAt") VALUES
       (gen_random_uuid(), $1, $2, 'dana@c.test', 'Locked out', '2026-02-01 11:00:00.200'),
       (gen_random_uuid(), $1, $2, 'dana@c.test', 'Verification failed', '2026-02-01 12:00:00.300'),
       (gen_random_uuid(), $1, $2, 'dana@c.test', 'Invalid password', '2026-02-01 11:00:00.100')`,
      [ORG, DANA],
    );

    await migrate(database.raw);

    const rows = await q(`SELECT "seq"::int AS seq, "type", "actorKind", "actorName" FROM "SecurityEvent" WHERE "orgId" = $1 ORDER BY "seq"`, [ORG]);
    expect(rows).toEqual([
      { seq: 1, type: "user.security_key.registered", actorKind: "user", actorName: "Dana Lee" },
      { seq: 2, type: "user.security_key.removed", actorKind: "user", actorName: "Ada Admin" },
      { seq: 3, type: "user.login.failed", actorKind: "anonymous", actorName: null },
      { seq: 4, type: expect.stringMatching(/locked_out|legacy/), actorKind: expect.any(String), actorName: null },
      { seq: 5, type: "user.verification.failed", actorKind: "user", actorName: "Dana Lee" },
    ]);
  });
});
