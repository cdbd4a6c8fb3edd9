import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PasswordCheckedUser } from "@/lib/auth/org-context";
import { completePendingLogin, createPendingLogin, findPendingLogin } from "@/lib/auth/login/pending-login";
import { hitRateLimits } from "@/lib/auth/rate-limit";
import { db, openDatabase, PGLITE_SHARED_BUFFERS } from "@/lib/db/client";
import { effectivePolicy } from "@/lib/policy/effective";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, createOrg, createUser, setOrgPolicy } from "../support/factories";

// The login's hot path writes and reads through the driver (lib/db/sql.ts), not
// Prisma. Its timestamps must mean what Prisma's mean (UTC in a timestamp
// without time zone) whatever the server's own time zone, and its rows must
// read back through Prisma unchanged.

useTestDatabase();

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

async function checkedUser() {
  const org = await createOrg("DriverSql");
  await setOrgPolicy(org.admin, { requireMfa: true, mfaRequiredFrom: new Date("2030-01-15T00:00:00Z") });
  const user = await createUser(org.admin);
  const settings = await db().orgSettings.findUnique({ where: { orgId: org.orgId } });
  return Object.freeze({
    kind: "password-checked",
    orgId: org.orgId,
    userId: user.userId,
    policy: effectivePolicy(settings, "STANDARD"),
  }) as PasswordCheckedUser;
}

describe("plain SQL on the login's hot path", () => {
  for (const tz of ["UTC", "America/New_York", "Asia/Kolkata"]) {
    it(`stores and reads timestamps as UTC with the server in ${tz}, as Prisma does`, async () => {
      process.env.TZ = tz;
      const user = await checkedUser();
      const now = new Date("2026-11-30T07:40:12.345Z");
      const token = await createPendingLogin(user, { secondFactor: true, deviceActivation: false }, TEST_REQUEST, now, "Password", {
        username: "someone@example.test",
        result: "Verification required",
      });

      const viaPrisma = await db().pendingLogin.findFirstOrThrow({ where: { userId: user.userId } });
      expect(viaPrisma.createdAt.toISOString()).toBe("2026-11-30T07:40:12.345Z");
      expect(viaPrisma.expiresAt.toISOString()).toBe("2026-11-30T07:50:12.345Z");
      const attempt = await db().loginAttempt.findFirstOrThrow({ where: { userId: user.userId } });
      expect(attempt).toMatchObject({ result: "Verification required", ip: TEST_REQUEST.ip, createdAt: now });

      const viaDriver = await findPendingLogin(token, now);
      expect(viaDriver).toMatchObject({ ...viaPrisma, kind: "pending-login" });
      // The org's settings come with it, dates included (a @db.Date reads as UTC midnight).
      expect(viaDriver!.policy).toEqual(user.policy);
      expect(viaDriver!.policy.mfaRequiredFrom?.toISOString()).toBe("2030-01-15T00:00:00.000Z");
      // Ten minutes later it has lapsed, to the millisecond.
      expect(await findPendingLogin(token, new Date("2026-11-30T07:50:12.344Z"))).not.toBeNull();
      expect(await findPendingLogin(token, new Date("2026-11-30T07:50:12.345Z"))).toBeNull();

      const [state] = await hitRateLimits([{ key: `tz-test:${tz}`, rule: { limit: 3, windowSeconds: 60 } }], now);
      expect(state).toEqual({ count: 1, resetAt: new Date("2026-11-30T07:41:12.345Z") });
    });
  }

  it("starts a session from a verified pending login once, writing the session and its Login History row", async () => {
    const user = await checkedUser();
    const now = new Date();
    const token = await createPendingLogin(user, { secondFactor: false, deviceActivation: false }, TEST_REQUEST, now);
    const { sessionToken, userId } = await completePendingLogin(token, TEST_REQUEST, now);
    expect(userId).toBe(user.userId);
    expect(sessionToken).toMatch(/^[\w-]{43}$/);
    const session = await db().session.findFirstOrThrow({ where: { userId: user.userId } });
    expect(session).toMatchObject({
      ip: TEST_REQUEST.ip,
      userAgent: TEST_REQUEST.userAgent,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      freshAuthAt: null,
    });
    expect(await db().loginAttempt.count({ where: { userId: user.userId, result: "Success" } })).toBe(1);
    await expect(completePendingLogin(token, TEST_REQUEST, now)).rejects.toThrow("Your login expired");
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(1);
  });

  it("runs the embedded database with a small buffer cache (PostgreSQL's 128 MB default would all be resident memory)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-pglite-"));
    const embedded = openDatabase({ dataDir: dir });
    try {
      expect(await embedded.raw.query("SHOW shared_buffers")).toEqual([{ shared_buffers: PGLITE_SHARED_BUFFERS }]);
    } finally {
      await embedded.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
