import { describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { authenticateWithPassword, GENERIC_LOGIN_ERROR, InvalidCredentialsError } from "@/lib/auth/login/login";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { endOwnSession, revokeUserSession, setUserActive } from "@/lib/users/mutations";
import { useTestDatabase } from "../support/database";
import { logInFully } from "../support/login";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, setOrgPolicy, signIn, TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

const minutes = (n: number) => n * 60_000;

async function sessionRow(sessionId: string) {
  return db().session.findUniqueOrThrow({ where: { id: sessionId } });
}

/** Pretends the session was last used `idleMinutes` ago. */
async function idleFor(sessionId: string, idleMinutes: number) {
  await db().session.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - minutes(idleMinutes)) } });
}

describe("resolving a session", () => {
  it("returns the signed-in user, their org and role", async () => {
    const org = await createOrg("Resolve");
    const user = await createUser(org.admin);
    const { token, ctx } = await signIn(user.userId);

    const session = await resolveSession(token, TEST_REQUEST);

    expect(session).toMatchObject({
      sessionId: ctx.sessionId,
      userId: user.userId,
      orgId: org.orgId,
      orgSlug: org.slug,
      role: "STANDARD",
      username: user.username,
    });
  });

  it("returns null for a missing, unknown or tampered token", async () => {
    const org = await createOrg("Unknown");
    expect(await resolveSession(undefined, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(null, TEST_REQUEST)).toBeNull();
    expect(await resolveSession("", TEST_REQUEST)).toBeNull();
    expect(await resolveSession("not-a-session-token", TEST_REQUEST)).toBeNull();
    expect(await resolveSession(`${org.adminToken}x`, TEST_REQUEST)).toBeNull();
    // The stored hash is not a token either.
    const row = await sessionRow(org.admin.sessionId);
    expect(await resolveSession(row.tokenHash, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(org.adminToken, TEST_REQUEST)).not.toBeNull();
  });
});

describe("ending a session", () => {
  it("an admin's Log out on a user's session ends it at the next request, and is audited", async () => {
    const org = await createOrg("Revoke");
    const user = await createUser(org.admin);
    const target = await signIn(user.userId);
    const other = await signIn(user.userId);

    await revokeUserSession(org.admin, target.ctx.sessionId);

    expect(await resolveSession(target.token, TEST_REQUEST)).toBeNull();
    expect(await sessionRow(target.ctx.sessionId)).toMatchObject({ revokedReason: "revoked", revokedAt: expect.any(Date) });
    // Only that browser is signed out.
    expect(await resolveSession(other.token, TEST_REQUEST)).toMatchObject({ userId: user.userId });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Ended session" } });
    expect(audit).toMatchObject({ actorId: org.adminId, targetId: user.userId, oldValue: user.username });
  });

  it("a user can end their own session", async () => {
    const org = await createOrg("Own");
    const user = await createUser(org.admin);
    const current = await signIn(user.userId);
    const laptop = await signIn(user.userId);

    await endOwnSession(current.ctx, laptop.ctx.sessionId);

    expect(await resolveSession(laptop.token, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(current.token, TEST_REQUEST)).not.toBeNull();
  });

  it("a standard user cannot end someone else's session: not found, and it stays live", async () => {
    const org = await createOrg("Others");
    const user = await createUser(org.admin);
    const colleague = await createUser(org.admin);
    const mine = await signIn(user.userId);
    const theirs = await signIn(colleague.userId);
    const before = await tableCounts();

    expect(await rejectionOf(endOwnSession(mine.ctx, theirs.ctx.sessionId))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(endOwnSession(mine.ctx, org.admin.sessionId))).toBeInstanceOf(NotFoundError);

    expect(await resolveSession(theirs.token, TEST_REQUEST)).not.toBeNull();
    expect(await resolveSession(org.adminToken, TEST_REQUEST)).not.toBeNull();
    expect(await tableCounts()).toEqual(before);
  });

  it("an ended session cannot be ended again (not found) and is never revived", async () => {
    const org = await createOrg("Twice");
    const user = await createUser(org.admin);
    const { token, ctx } = await signIn(user.userId);
    await revokeUserSession(org.admin, ctx.sessionId);
    const row = await sessionRow(ctx.sessionId);

    expect(await rejectionOf(revokeUserSession(org.admin, ctx.sessionId))).toBeInstanceOf(NotFoundError);
    expect(await resolveSession(token, TEST_REQUEST)).toBeNull();
    expect(await sessionRow(ctx.sessionId)).toEqual(row);
  });
});

describe("idle timeout", () => {
  it("ends a session idle for longer than the org's timeout (2 h by default), for good", async () => {
    const org = await createOrg("Idle");
    const user = await createUser(org.admin);
    const { token, ctx } = await signIn(user.userId);
    await idleFor(ctx.sessionId, 121);

    expect(await resolveSession(token, TEST_REQUEST)).toBeNull();
    const ended = await sessionRow(ctx.sessionId);
    expect(ended).toMatchObject({ revokedReason: "idle-timeout", revokedAt: expect.any(Date) });

    // Activity after the timeout does not bring it back.
    await idleFor(ctx.sessionId, 0);
    expect(await resolveSession(token, TEST_REQUEST)).toBeNull();
    expect(await sessionRow(ctx.sessionId)).toMatchObject({ revokedReason: "idle-timeout", revokedAt: ended.revokedAt });
  });

  it("keeps a session alive while it is used: the timeout counts from the last request", async () => {
    const org = await createOrg("Sliding");
    const user = await createUser(org.admin);
    const { token } = await signIn(user.userId);
    const start = Date.now();

    expect(await resolveSession(token, TEST_REQUEST, new Date(start + minutes(119)))).not.toBeNull();
    expect(await resolveSession(token, TEST_REQUEST, new Date(start + minutes(238)))).not.toBeNull();
    expect(await resolveSession(token, TEST_REQUEST, new Date(start + minutes(359)))).toBeNull();
    expect(await resolveSession(token, TEST_REQUEST, new Date(start + minutes(360)))).toBeNull();
  });

  it("applies a changed org timeout to sessions that already exist, shorter or longer", async () => {
    const org = await createOrg("Timeout");
    const user = await createUser(org.admin);
    const shortIdle = await signIn(user.userId);
    const longIdle = await signIn(user.userId);
    await idleFor(shortIdle.ctx.sessionId, 30);
    await idleFor(longIdle.ctx.sessionId, 150);

    await setOrgPolicy(org.admin, { sessionTimeoutMinutes: 15 });
    expect(await resolveSession(shortIdle.token, TEST_REQUEST)).toBeNull();
    expect(await sessionRow(shortIdle.ctx.sessionId)).toMatchObject({ revokedReason: "idle-timeout" });

    await setOrgPolicy(org.admin, { sessionTimeoutMinutes: 24 * 60 });
    expect(await resolveSession(longIdle.token, TEST_REQUEST)).toMatchObject({ userId: user.userId });
  });

  it("one org's timeout does not apply to another org's sessions", async () => {
    const strict = await createOrg("Strict");
    const relaxed = await createOrg("Relaxed");
    await setOrgPolicy(strict.admin, { sessionTimeoutMinutes: 15 });
    await idleFor(strict.admin.sessionId, 30);
    await idleFor(relaxed.admin.sessionId, 30);

    expect(await resolveSession(strict.adminToken, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(relaxed.adminToken, TEST_REQUEST)).not.toBeNull();
  });
});

describe("deactivating a user", () => {
  it("ends all their sessions at once and their login fails with the generic message", async () => {
    const org = await createOrg("Deactivate");
    const user = await createUser(org.admin);
    const phone = await signIn(user.userId);
    const laptop = await signIn(user.userId);

    await setUserActive(await stepUp(org.admin), user.userId, false);

    expect(await resolveSession(phone.token, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(laptop.token, TEST_REQUEST)).toBeNull();
    const rows = await db().session.findMany({ where: { userId: user.userId } });
    expect(rows.map((r) => r.revokedReason)).toEqual(["user-deactivated", "user-deactivated"]);
    expect(await db().user.findUniqueOrThrow({ where: { id: user.userId } })).toMatchObject({ isActive: false });

    const error = await rejectionOf(authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp()));
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.message).toBe(GENERIC_LOGIN_ERROR);
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(2);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Deactivated user", targetId: user.userId } })).toBe(1);
  });

  it("ends a session whose user became inactive by any path, at the next request", async () => {
    const org = await createOrg("AnyPath");
    const user = await createUser(org.admin);
    const { token, ctx } = await signIn(user.userId);
    await db().user.update({ where: { id: user.userId }, data: { isActive: false } });

    expect(await resolveSession(token, TEST_REQUEST)).toBeNull();
    expect(await sessionRow(ctx.sessionId)).toMatchObject({ revokedReason: "user-deactivated" });
  });

  it("reactivating lets the user log in again, without reviving old sessions", async () => {
    const org = await createOrg("Reactivate");
    const user = await createUser(org.admin);
    const old = await signIn(user.userId);
    await setUserActive(await stepUp(org.admin), user.userId, false);

    await setUserActive(await stepUp(org.admin), user.userId, true);

    const login = await logInFully(user.username, TEST_PASSWORD, requestFromNewIp());
    expect(await resolveSession(login.sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
    expect(await resolveSession(old.token, TEST_REQUEST)).toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Reactivated user", targetId: user.userId } })).toBe(1);
  });

  it("an admin cannot deactivate themself, and nothing changes", async () => {
    const org = await createOrg("Self");
    const before = await tableCounts();

    const error = await rejectionOf(stepUp(org.admin).then((c) => setUserActive(c, org.adminId, false)));

    expect(error).toBeInstanceOf(UserFacingError);
    expect(error.message).toBe("You can't deactivate yourself. Ask another admin.");
    expect(await db().user.findUniqueOrThrow({ where: { id: org.adminId } })).toMatchObject({ isActive: true });
    expect(await resolveSession(org.adminToken, TEST_REQUEST)).not.toBeNull();
    expect(await tableCounts()).toEqual(before);
  });

  it("an admin can deactivate another admin, who is signed out at once", async () => {
    const org = await createOrg("TwoAdmins");
    const second = await createUser(org.admin, "ADMIN");
    const secondSession = await signIn(second.userId);

    await setUserActive(await stepUp(org.admin), second.userId, false);

    expect(await resolveSession(secondSession.token, TEST_REQUEST)).toBeNull();
    await expect(authenticateWithPassword(second.username, TEST_PASSWORD, requestFromNewIp())).rejects.toBeInstanceOf(InvalidCredentialsError);
  });
});
