import { afterEach, describe, expect, it, vi } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { retentionClassOf, sweepRetention } from "@/lib/events/retention";
import { SECURITY_EVENT_TYPES } from "@/lib/events/types";
import { setUserRole } from "@/lib/users/mutations";
import { stepUp } from "@/lib/auth/freshness";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { changeOwnPassword } from "@/lib/users/password-changes";

// History does not grow without bound (issue 24 item 12): sign-in activity and
// finished mail go after RETENTION_DAYS_ACTIVITY / RETENTION_DAYS_EMAIL (180 by
// default); changes stay unless RETENTION_DAYS_CHANGES says otherwise.

useTestDatabase();

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

const DAY = 86_400_000;

/** Moves every row of `orgId` in the history tables `days` into the past. */
async function age(orgId: string, days: number) {
  const at = new Date(Date.now() - days * DAY);
  await db().securityEvent.updateMany({ where: { orgId }, data: { createdAt: at } });
  await db().loginAttempt.updateMany({ where: { orgId }, data: { createdAt: at } });
  await db().verificationEvent.updateMany({ where: { orgId }, data: { createdAt: at } });
  await db().auditEvent.updateMany({ where: { orgId }, data: { createdAt: at } });
  await db().emailMessage.updateMany({ where: { orgId }, data: { createdAt: at } });
}

async function historyOf(orgId: string) {
  const events = await db().securityEvent.findMany({ where: { orgId }, select: { type: true } });
  return {
    activityEvents: events.filter((e) => retentionClassOf(e.type as never) === "activity").length,
    changeEvents: events.filter((e) => retentionClassOf(e.type as never) === "changes").length,
    loginAttempts: await db().loginAttempt.count({ where: { orgId } }),
    signInVerifications: await db().verificationEvent.count({ where: { orgId, activity: { in: ["Login", "Re-authentication"] } } }),
    otherVerifications: await db().verificationEvent.count({ where: { orgId, activity: { notIn: ["Login", "Re-authentication"] } } }),
    auditEvents: await db().auditEvent.count({ where: { orgId } }),
    sentMail: await db().emailMessage.count({ where: { orgId, state: { in: ["SENT", "FAILED", "FOLDED"] } } }),
    pendingMail: await db().emailMessage.count({ where: { orgId, state: { in: ["QUEUED", "RETRYING", "SENDING"] } } }),
  };
}

/** An org with sign-in activity, changes and mail, some of it sent. */
async function orgWithHistory(name: string) {
  const org = await createOrg(name);
  const user = await createUser(org.admin);
  await authenticateWithPassword(user.username, TEST_PASSWORD, TEST_REQUEST).catch(() => undefined);
  await authenticateWithPassword(user.username, "wrong-password-123", TEST_REQUEST).catch(() => undefined);
  await setUserRole(await stepUp(org.admin), user.userId, "ADMIN");
  // A verification that is sign-in activity ("verify it's you"), and one that records a change (a password changed).
  const { ctx } = await signIn(user.userId, { fresh: true });
  await reauthenticateWithPassword(ctx, TEST_PASSWORD);
  await changeOwnPassword(await stepUp(ctx), "a-brand-new-passphrase-42");
  const mail = await db().emailMessage.findFirstOrThrow({ where: { orgId: org.orgId } });
  await db().emailMessage.update({ where: { id: mail.id }, data: { state: "SENT", sentAt: new Date() } });
  return org;
}

describe("retention", () => {
  it("classes every event type: logins and verifications are activity, the rest are changes", () => {
    expect(SECURITY_EVENT_TYPES.filter((t) => retentionClassOf(t) === "activity").sort()).toEqual(
      SECURITY_EVENT_TYPES.filter((t) => t.startsWith("user.login.") || t.startsWith("user.verification.")).sort(),
    );
    expect(retentionClassOf("settings.updated")).toBe("changes");
    expect(retentionClassOf("user.security_key.removed")).toBe("changes");
  });

  it("deletes activity and finished mail older than 180 days, keeps changes, mail still to send and anything newer", async () => {
    const old = await orgWithHistory("Old");
    const recent = await orgWithHistory("Recent");
    await age(old.orgId, 181);
    await age(recent.orgId, 179);
    const [oldBefore, recentBefore] = [await historyOf(old.orgId), await historyOf(recent.orgId)];
    expect(oldBefore.activityEvents).toBeGreaterThan(0);
    expect(oldBefore.loginAttempts).toBeGreaterThan(0);
    expect(oldBefore.sentMail).toBe(1);
    expect(oldBefore.changeEvents).toBeGreaterThan(0);
    expect(oldBefore.signInVerifications).toBeGreaterThan(0);
    expect(oldBefore.otherVerifications).toBeGreaterThan(0);

    const swept = await sweepRetention();
    expect(swept.securityEvents).toBe(oldBefore.activityEvents);
    expect(await historyOf(old.orgId)).toEqual({ ...oldBefore, activityEvents: 0, loginAttempts: 0, signInVerifications: 0, sentMail: 0 });
    expect(await historyOf(recent.orgId)).toEqual(recentBefore);
    // A second pass finds nothing left to do.
    expect(Object.values(await sweepRetention()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("deletes changes too when RETENTION_DAYS_CHANGES is set, and follows a shorter activity window", async () => {
    const org = await orgWithHistory("Changes");
    await age(org.orgId, 40);
    vi.stubEnv("RETENTION_DAYS_ACTIVITY", "30");
    vi.stubEnv("RETENTION_DAYS_CHANGES", "30");
    resetEnvCache();
    const before = await historyOf(org.orgId);
    await sweepRetention();
    expect(await historyOf(org.orgId)).toEqual({
      ...before,
      activityEvents: 0,
      changeEvents: 0,
      loginAttempts: 0,
      auditEvents: 0,
      signInVerifications: 0,
      otherVerifications: 0,
    });
  });
});
