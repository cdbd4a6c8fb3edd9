import { describe, expect, it } from "vitest";
import { createSession, resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, createOrg, createUser, setOrgPolicy } from "../support/factories";

useTestDatabase();

const minutes = (n: number) => n * 60_000;
const OTHER_IP = { ip: "198.51.100.23", userAgent: TEST_REQUEST.userAgent };

/** A user's session that last made a request at `lastSeenAt`. */
async function sessionSeenAt(user: { id: string; orgId: string }, lastSeenAt: Date, request = TEST_REQUEST) {
  const { token, sessionId } = await createSession(user, request);
  await db().session.update({ where: { id: sessionId }, data: { lastSeenAt } });
  return { token, sessionId };
}

async function endReason(sessionId: string) {
  return (await db().session.findUniqueOrThrow({ where: { id: sessionId } })).revokedReason;
}

describe("idle timeout from the org's Timeout value", () => {
  it("defaults to 2 hours", async () => {
    const org = await createOrg("Idle");
    const user = { id: org.adminId, orgId: org.orgId };
    const start = Date.now();
    const fresh = await sessionSeenAt(user, new Date(start));
    expect(await resolveSession(fresh.token, TEST_REQUEST, new Date(start + minutes(119)))).not.toBeNull();
    const stale = await sessionSeenAt(user, new Date(start));
    expect(await resolveSession(stale.token, TEST_REQUEST, new Date(start + minutes(121)))).toBeNull();
    expect(await endReason(stale.sessionId)).toBe("idle-timeout");
    // An ended session stays ended, even if used again within the window.
    expect(await resolveSession(stale.token, TEST_REQUEST, new Date(start + minutes(1)))).toBeNull();
  });

  it("applies a changed timeout to existing sessions at their next request", async () => {
    const org = await createOrg("Shorter");
    const { userId } = await createUser(org.admin);
    const user = { id: userId, orgId: org.orgId };
    const now = Date.now();
    const idle20 = await sessionSeenAt(user, new Date(now - minutes(20)));
    const idle10 = await sessionSeenAt(user, new Date(now - minutes(10)));
    const idle23h = await sessionSeenAt(user, new Date(now - minutes(23 * 60)));

    await setOrgPolicy(org.admin, { sessionTimeoutMinutes: 15 });
    expect(await resolveSession(idle20.token, TEST_REQUEST)).toBeNull();
    expect(await endReason(idle20.sessionId)).toBe("idle-timeout");
    expect(await resolveSession(idle10.token, TEST_REQUEST)).toMatchObject({ userId });

    await setOrgPolicy(org.admin, { sessionTimeoutMinutes: 24 * 60 });
    expect(await resolveSession(idle23h.token, TEST_REQUEST)).toMatchObject({ userId });
  });

  it("uses each org's own timeout", async () => {
    const strict = await createOrg("Strict");
    const relaxed = await createOrg("Relaxed");
    await setOrgPolicy(strict.admin, { sessionTimeoutMinutes: 15 });
    const seen = new Date(Date.now() - minutes(30));
    const strictSession = await sessionSeenAt({ id: strict.adminId, orgId: strict.orgId }, seen);
    const relaxedSession = await sessionSeenAt({ id: relaxed.adminId, orgId: relaxed.orgId }, seen);
    expect(await resolveSession(strictSession.token, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(relaxedSession.token, TEST_REQUEST)).not.toBeNull();
  });
});

describe("Lock sessions to the IP address from which they originated", () => {
  it("is off by default: a session may move between IPs", async () => {
    const org = await createOrg("Roaming");
    expect(await resolveSession(org.adminToken, OTHER_IP)).toMatchObject({ userId: org.adminId });
    expect(await resolveSession(org.adminToken, TEST_REQUEST)).toMatchObject({ userId: org.adminId });
  });

  it("when on, ends a session used from another IP and records it once in the audit trail", async () => {
    const org = await createOrg("Locked");
    const { userId, username } = await createUser(org.admin);
    const { token, sessionId } = await createSession({ id: userId, orgId: org.orgId }, TEST_REQUEST);
    await setOrgPolicy(org.admin, { lockSessionsToIp: true });

    expect(await resolveSession(token, TEST_REQUEST)).toMatchObject({ userId });
    expect(await resolveSession(token, OTHER_IP)).toBeNull();
    expect(await endReason(sessionId)).toBe("ip-changed");
    // Ended for good: not even the original IP brings it back, and no second audit row.
    expect(await resolveSession(token, TEST_REQUEST)).toBeNull();
    expect(await resolveSession(token, OTHER_IP)).toBeNull();

    const rows = await db().auditEvent.findMany({ where: { orgId: org.orgId, action: "Ended session: IP address changed" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ section: "Sessions", targetId: userId, ip: OTHER_IP.ip, actorId: null });
    expect(rows[0]!.newValue).toBe(`${username}: request from ${OTHER_IP.ip}, session locked to ${TEST_REQUEST.ip}`);
  });

  it("treats an IPv4-mapped IPv6 address as the same IP and an unknown IP as another one", async () => {
    const org = await createOrg("Mapped");
    await setOrgPolicy(org.admin, { lockSessionsToIp: true });
    const { requestInfo } = await import("@/lib/http/request-info");
    const mapped = requestInfo(new Headers({ "x-forwarded-for": `::ffff:${TEST_REQUEST.ip}` }));
    expect(await resolveSession(org.adminToken, mapped)).toMatchObject({ userId: org.adminId });
    expect(await resolveSession(org.adminToken, { ip: null, userAgent: null })).toBeNull();
  });

  it("leaves other orgs' sessions alone", async () => {
    const locked = await createOrg("LockedOrg");
    const open = await createOrg("OpenOrg");
    await setOrgPolicy(locked.admin, { lockSessionsToIp: true });
    expect(await resolveSession(open.adminToken, OTHER_IP)).not.toBeNull();
    expect(await resolveSession(locked.adminToken, OTHER_IP)).toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: open.orgId, section: "Sessions" } })).toBe(0);
  });
});
