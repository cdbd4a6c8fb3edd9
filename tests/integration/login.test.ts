import { describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { authenticateWithPassword, GENERIC_LOGIN_ERROR, InvalidCredentialsError } from "@/lib/auth/login/login";
import { resolveSession } from "@/lib/auth/session";
import { hashToken } from "@/lib/crypto/tokens";
import { db } from "@/lib/db/client";
import { setUserActive } from "@/lib/users/mutations";
import { useTestDatabase } from "../support/database";
import { logInFully } from "../support/login";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

describe("password login", () => {
  it("creates a new server-side session, with a new token, at every login", async () => {
    const org = await createOrg("Login");
    const request = requestFromNewIp();
    const sessionsBefore = await db().session.count({ where: { userId: org.adminId } });

    const first = await logInFully(org.adminUsername, TEST_PASSWORD, request);
    const second = await logInFully(org.adminUsername, TEST_PASSWORD, request);

    expect(first).toMatchObject({ userId: org.adminId, orgId: org.orgId });
    expect(second).toMatchObject({ userId: org.adminId, orgId: org.orgId });
    expect(first.sessionToken).not.toBe(second.sessionToken);
    const [a, b] = await Promise.all([resolveSession(first.sessionToken, TEST_REQUEST), resolveSession(second.sessionToken, TEST_REQUEST)]);
    expect(a?.userId).toBe(org.adminId);
    expect(b?.userId).toBe(org.adminId);
    expect(a!.sessionId).not.toBe(b!.sessionId);

    const rows = await db().session.findMany({ where: { id: { in: [a!.sessionId, b!.sessionId] } } });
    expect(rows.map((r) => r.tokenHash).sort()).toEqual([hashToken(first.sessionToken), hashToken(second.sessionToken)].sort());
    // Only a hash of the token is stored: a database leak does not hand out sessions.
    expect(rows.some((r) => r.tokenHash === first.sessionToken || r.tokenHash === second.sessionToken)).toBe(false);
    expect(rows.every((r) => r.ip === request.ip && r.userAgent === request.userAgent && r.revokedAt === null)).toBe(true);
    expect(await db().session.count({ where: { userId: org.adminId } })).toBe(sessionsBefore + 2);
  });

  it("answers a wrong password, an unknown username and a deactivated user with the same generic error", async () => {
    const org = await createOrg("Generic");
    const user = await createUser(org.admin);
    await setUserActive(await stepUp(org.admin), user.userId, false);
    const before = await tableCounts();

    const errors = [
      await rejectionOf(authenticateWithPassword(org.adminUsername, "wrong-password-123", requestFromNewIp())),
      await rejectionOf(authenticateWithPassword(`nobody@${org.slug}.test`, TEST_PASSWORD, requestFromNewIp())),
      await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp())),
      await rejectionOf(authenticateWithPassword(user.username, "wrong-password-123", requestFromNewIp())),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(InvalidCredentialsError);
      expect(error.message).toBe("Check your username and password");
      expect((error as InvalidCredentialsError).status).toBe(401);
    }
    expect(GENERIC_LOGIN_ERROR).toBe("Check your username and password");
    const after = await tableCounts();
    expect(after.sessions).toBe(before.sessions);
    // The unknown username leaves no row: Login History is per org.
    expect(after.loginAttempts).toBe(before.loginAttempts + 3);
  });

  it("an invited user without a password cannot log in with any password", async () => {
    const org = await createOrg("Invited");
    const user = await createUser(org.admin);
    await db().user.update({ where: { id: user.userId }, data: { passwordHash: null } });

    for (const password of [TEST_PASSWORD, "", "null", "undefined"]) {
      const error = await rejectionOf(authenticateWithPassword(user.username, password, requestFromNewIp()));
      expect(error.message).toBe(GENERIC_LOGIN_ERROR);
    }
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);
  });

  it("records every attempt in Login History with its result, IP and browser, and never the password", async () => {
    const org = await createOrg("History");
    const user = await createUser(org.admin);
    const request = requestFromNewIp("Mozilla/5.0 (Windows NT 10.0) Firefox/133.0");
    const unknown = `ghost@${org.slug}.test`;

    await logInFully(user.username, TEST_PASSWORD, request);
    await authenticateWithPassword(user.username, TEST_PASSWORD, request); // a browser not activated for them
    await rejectionOf(authenticateWithPassword(user.username, "wrong-password-123", request));
    await rejectionOf(authenticateWithPassword(unknown, "wrong-password-123", request));
    await setUserActive(await stepUp(org.admin), user.userId, false);
    await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, request));

    const attempts = await db().loginAttempt.findMany({ where: { ip: request.ip }, orderBy: { createdAt: "asc" } });
    expect(attempts.map(({ username, result, orgId, userId, ip, userAgent }) => ({ username, result, orgId, userId, ip, userAgent }))).toEqual([
      { username: user.username, result: "Success", orgId: org.orgId, userId: user.userId, ...request },
      { username: user.username, result: "Verification required", orgId: org.orgId, userId: user.userId, ...request },
      { username: user.username, result: "Invalid password", orgId: org.orgId, userId: user.userId, ...request },
      { username: user.username, result: "Inactive user", orgId: org.orgId, userId: user.userId, ...request },
    ]);
    expect(attempts.map((a) => a.username)).not.toContain(unknown);
    expect(JSON.stringify(attempts)).not.toContain("wrong-password-123");
    expect(JSON.stringify(attempts)).not.toContain(TEST_PASSWORD);
  });
});
