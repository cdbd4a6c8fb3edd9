import { describe, expect, it } from "vitest";
import { authenticateWithPassword, LOGIN_LIMITS } from "@/lib/auth/login/login";
import { findPendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { RateLimitedError } from "@/lib/errors";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, TEST_PASSWORD } from "../support/factories";
import { LoginWorkerProcess } from "../support/login-worker-process";
import { requestFromNewIp } from "../support/requests";

const database = useTestDatabase();

// Embedded PGlite cannot be opened by two processes; the CI runs this file on
// PostgreSQL too, and login-rate-limit.test.ts covers concurrent callers in one process.
describe("login rate limit across app instances", () => {
  it.runIf(process.env.TEST_DATABASE_URL)(
    "two app processes on one PostgreSQL database, failing alternately, share the per-username count",
    async () => {
      const url = database.current().url;
      if (!url) throw new Error("expected a PostgreSQL test database URL");
      const org = await createOrg("Instances");
      const user = await createUser(org.admin);
      const ip = () => requestFromNewIp().ip!;
      const instances = await Promise.all([LoginWorkerProcess.start(url), LoginWorkerProcess.start(url)]);
      try {
        const [a, b] = instances as [LoginWorkerProcess, LoginWorkerProcess];
        expect(a.pid).not.toBe(b.pid);
        expect(a.pid).not.toBe(process.pid);

        // Both instances see the same users and write the same sessions table.
        for (const instance of [a, b]) {
          const reply = await instance.login(user.username, TEST_PASSWORD, ip());
          expect(reply).toMatchObject({ outcome: "ok", userId: user.userId });
          if (reply.outcome === "ok") expect(await findPendingLogin(reply.pendingToken)).toMatchObject({ userId: user.userId });
        }

        const limit = LOGIN_LIMITS.perUsername.limit;
        for (let i = 0; i < limit; i += 1) {
          const instance = i % 2 === 0 ? a : b;
          expect(await instance.login(user.username, "wrong-password-123", ip()), `failure ${i + 1} on instance ${i % 2 === 0 ? "A" : "B"}`).toEqual(
            expect.objectContaining({ outcome: "invalid-credentials", message: "Check your username and password" }),
          );
        }
        // Each instance saw only half the failures; the shared count has reached the limit.
        const sessionsBefore = await db().session.count({ where: { userId: user.userId } });
        for (const instance of [a, b]) {
          const reply = await instance.login(user.username, TEST_PASSWORD, ip());
          expect(reply.outcome).toBe("rate-limited");
          if (reply.outcome !== "ok") expect(reply.message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/);
        }
        await expect(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp())).rejects.toBeInstanceOf(RateLimitedError);
        expect(await db().session.count({ where: { userId: user.userId } })).toBe(sessionsBefore);

        const results = await db().loginAttempt.groupBy({ by: ["result"], where: { username: user.username }, _count: true });
        // A correct password from a browser not activated for the user leaves a pending login: "Verification required".
        expect(Object.fromEntries(results.map((r) => [r.result, r._count]))).toEqual({
          "Verification required": 2,
          "Invalid password": limit,
          // One row when the lockout started, not one per attempt refused during it.
          "Locked out": 1,
        });
      } finally {
        await Promise.all(instances.map((instance) => instance.stop()));
      }
    },
    60_000,
  );
});
