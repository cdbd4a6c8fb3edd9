import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateWithPassword, InvalidCredentialsError, LOGIN_LIMITS } from "@/lib/auth/login/login";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import type { RequestInfo } from "@/lib/http/request-info";
import { useTestDatabase } from "../support/database";
import { activatedDeviceCookie, logInFully } from "../support/login";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

const WRONG = "wrong-password-123";
const USER_LIMIT = LOGIN_LIMITS.perUsername.limit;
const IP_LIMIT = LOGIN_LIMITS.perIp.limit;
const minutes = (n: number) => n * 60_000;

async function failLogins(username: string, count: number, request: () => RequestInfo, now?: Date) {
  for (let i = 0; i < count; i += 1) {
    const error = await rejectionOf(authenticateWithPassword(username, WRONG, request(), now));
    expect(error, `failure ${i + 1} of ${count}`).toBeInstanceOf(InvalidCredentialsError);
  }
}

describe("login rate limit per username", () => {
  it(`locks the username after ${USER_LIMIT} failures, even for the right password and from new IPs`, async () => {
    const org = await createOrg("Locked");
    const user = await createUser(org.admin);
    const start = new Date();
    // An attacker rotating addresses: every attempt comes from a new IP.
    await failLogins(user.username, USER_LIMIT, requestFromNewIp, start);
    const before = await tableCounts();

    const error = await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp(), new Date(start.getTime() + minutes(1))));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toMatch(/^Too many attempts/);
    // The window is 15 minutes from the first failure; one minute has passed.
    expect(error.message).toBe("Too many attempts. Try again in 14 minutes.");
    expect((error as RateLimitedError).status).toBe(429);
    const after = await tableCounts();
    expect(after.sessions).toBe(before.sessions);
    const last = await db().loginAttempt.findFirst({ where: { username: user.username }, orderBy: { createdAt: "desc" } });
    expect(last?.result).toBe("Locked out");

    // Further attempts while locked out are refused without a row each: the table does not grow at an anonymous caller's will.
    for (let i = 0; i < 5; i += 1) {
      await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp(), new Date(start.getTime() + minutes(2))));
    }
    expect(await db().loginAttempt.count({ where: { username: user.username, result: "Locked out" } })).toBe(1);
  });

  it("writes no history row for a username no org has", async () => {
    for (let i = 0; i < 3; i += 1) await rejectionOf(authenticateWithPassword(`ghost${i}@nowhere.test`, "guess-guess-guess", requestFromNewIp()));
    expect(await db().loginAttempt.count({ where: { username: { startsWith: "ghost" } } })).toBe(0);
  });

  it("does not lock out the owner's activated browser: its failures count apart, and it still logs in", async () => {
    const org = await createOrg("Owner");
    const user = await createUser(org.admin);
    const ownBrowser = await activatedDeviceCookie(user.username);
    // Someone else makes the username hit its limit.
    await failLogins(user.username, USER_LIMIT, requestFromNewIp);
    expect(await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp()))).toBeInstanceOf(RateLimitedError);
    // The owner, on the browser they activated, is not locked out.
    const step = await authenticateWithPassword(user.username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie: ownBrowser });
    expect(step.next).toBe("complete");
    // That browser has a limit of its own all the same.
    await failLogins(user.username, USER_LIMIT, () => ({ ...TEST_REQUEST, deviceCookie: ownBrowser }));
    expect(await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie: ownBrowser }))).toBeInstanceOf(
      RateLimitedError,
    );
  });

  it(`does not lock after ${USER_LIMIT - 1} failures`, async () => {
    const org = await createOrg("Almost");
    const user = await createUser(org.admin);
    await failLogins(user.username, USER_LIMIT - 1, requestFromNewIp);

    const result = await logInFully(user.username, TEST_PASSWORD, requestFromNewIp());

    expect(await resolveSession(result.sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
  });

  it("audits the lockout once, in the user's org", async () => {
    const org = await createOrg("Audited");
    const user = await createUser(org.admin);
    await failLogins(user.username, USER_LIMIT, requestFromNewIp);
    for (let i = 0; i < 3; i += 1) {
      await expect(authenticateWithPassword(user.username, WRONG, requestFromNewIp())).rejects.toBeInstanceOf(RateLimitedError);
    }

    const events = await db().auditEvent.findMany({ where: { orgId: org.orgId, action: "User locked out" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ targetId: user.userId, actorId: null });
    expect(events[0]!.newValue).toContain(user.username);
  });

  it("locks only that username: another user of the org still logs in", async () => {
    const org = await createOrg("Neighbour");
    const victim = await createUser(org.admin);
    const neighbour = await createUser(org.admin);
    await failLogins(victim.username, USER_LIMIT, requestFromNewIp);

    await expect(authenticateWithPassword(victim.username, TEST_PASSWORD, requestFromNewIp())).rejects.toBeInstanceOf(RateLimitedError);
    const result = await authenticateWithPassword(neighbour.username, TEST_PASSWORD, requestFromNewIp());
    expect(result.userId).toBe(neighbour.userId);
  });

  it("lets the user in again once the window has passed", async () => {
    const org = await createOrg("Expiry");
    const user = await createUser(org.admin);
    const start = new Date();
    await failLogins(user.username, USER_LIMIT, requestFromNewIp, start);
    const windowMs = LOGIN_LIMITS.perUsername.windowSeconds * 1000;

    const almost = await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp(), new Date(start.getTime() + windowMs - 30_000)));
    expect(almost.message).toBe("Too many attempts. Try again in 1 minute.");

    const result = await logInFully(user.username, TEST_PASSWORD, requestFromNewIp(), new Date(start.getTime() + windowMs + 1000));
    expect(await resolveSession(result.sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
  });

  it("a fresh window after expiry starts counting from zero", async () => {
    const org = await createOrg("Rewindow");
    const user = await createUser(org.admin);
    const start = new Date();
    await failLogins(user.username, USER_LIMIT, requestFromNewIp, start);
    const later = new Date(start.getTime() + LOGIN_LIMITS.perUsername.windowSeconds * 1000 + 1000);

    await failLogins(user.username, USER_LIMIT - 1, requestFromNewIp, later);
    const result = await authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp(), later);
    expect(result.userId).toBe(user.userId);
  });

  it("a successful login clears the username's failure count", async () => {
    const org = await createOrg("Clears");
    const user = await createUser(org.admin);

    await failLogins(user.username, USER_LIMIT - 1, requestFromNewIp);
    await authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp());
    // Without the reset, the first of these would reach the limit and the login below would be locked.
    await failLogins(user.username, USER_LIMIT - 1, requestFromNewIp);
    const result = await logInFully(user.username, TEST_PASSWORD, requestFromNewIp());

    expect(await resolveSession(result.sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
  });

  /** These bursts test the database's count; admission's shares (lib/auth/login/admission.ts) would turn most of them away first. */
  function admitWholeBursts() {
    vi.stubEnv("PASSWORD_CHECKS_PER_ACCOUNT", "1000");
    vi.stubEnv("PASSWORD_CHECKS_PER_IP", "1000");
    vi.stubEnv("PASSWORD_CHECKS_PER_ORG", "1000");
    vi.stubEnv("PASSWORD_CHECKS_PER_IPV6_48", "1000");
    resetEnvCache();
  }
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvCache();
  });

  it("a burst of parallel guesses gets no more password checks than the limit", async () => {
    admitWholeBursts();
    const org = await createOrg("Burst");
    const user = await createUser(org.admin);

    // Sent at once, every request would pass a "count < limit?" check made before any failure is counted.
    const outcomes = await Promise.allSettled(Array.from({ length: USER_LIMIT * 3 }, () => authenticateWithPassword(user.username, WRONG, requestFromNewIp())));

    const reasons = outcomes.map((o) => (o.status === "rejected" ? o.reason : o.value));
    expect(reasons.filter((r) => r instanceof InvalidCredentialsError)).toHaveLength(USER_LIMIT);
    expect(reasons.filter((r) => r instanceof RateLimitedError)).toHaveLength(USER_LIMIT * 2);
    await expect(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp())).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("two concurrent in-process callers share one per-username count (no lost updates)", async () => {
    admitWholeBursts();
    const org = await createOrg("Concurrent");
    const user = await createUser(org.admin);
    const half = USER_LIMIT / 2;
    const callerA = requestFromNewIp();
    const callerB = requestFromNewIp();

    const outcomes = await Promise.allSettled(
      Array.from({ length: USER_LIMIT }, (_, i) => authenticateWithPassword(user.username, WRONG, i < half ? callerA : callerB)),
    );

    expect(outcomes.every((o) => o.status === "rejected" && o.reason instanceof InvalidCredentialsError)).toBe(true);
    // Neither caller alone reached the limit; together they did.
    const error = await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, callerA));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);
  });
});

describe("login rate limit per IP", () => {
  it(`blocks an IP after ${IP_LIMIT} failures across different usernames, but not other IPs`, async () => {
    const org = await createOrg("Spray");
    const user = await createUser(org.admin);
    const attacker = requestFromNewIp();

    // Password spraying: each username is tried once, so no per-username limit is reached.
    for (let i = 0; i < IP_LIMIT; i += 1) {
      const error = await rejectionOf(authenticateWithPassword(`target-${i}@${org.slug}.test`, WRONG, attacker));
      expect(error, `failure ${i + 1}`).toBeInstanceOf(InvalidCredentialsError);
    }
    const before = await tableCounts();

    const blocked = await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, attacker));
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect(blocked.message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/);
    expect((await tableCounts()).sessions).toBe(before.sessions);

    const elsewhere = await authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp());
    expect(elsewhere.userId).toBe(user.userId);
  });

  it("a successful login does not reset the IP's count", async () => {
    const org = await createOrg("Sticky");
    const user = await createUser(org.admin);
    const attacker = requestFromNewIp();
    for (let i = 0; i < IP_LIMIT - 1; i += 1) {
      await rejectionOf(authenticateWithPassword(`target-${i}@${org.slug}.test`, WRONG, attacker));
    }

    // An attacker with one valid account must not be able to launder the IP's count.
    await authenticateWithPassword(user.username, TEST_PASSWORD, attacker);
    await rejectionOf(authenticateWithPassword(`one-more@${org.slug}.test`, WRONG, attacker));

    await expect(authenticateWithPassword(user.username, TEST_PASSWORD, attacker)).rejects.toBeInstanceOf(RateLimitedError);
  });
});
