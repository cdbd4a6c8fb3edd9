import { describe, expect, it, vi } from "vitest";
import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { confirmCompromiseAction } from "@/app/(auth)/wasnt-me/[token]/actions";
import { resolveOrgContext } from "@/lib/auth/context";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { hashToken } from "@/lib/crypto/tokens";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { MailTransport } from "@/lib/email/transport";
import { deliverDueEmails, SECRET_REMOVED } from "@/lib/email/worker";
import { confirmCompromiseLink, inspectCompromiseLink } from "@/lib/users/compromise";
import { removeSuspendedFactor } from "@/lib/users/admin-recovery";
import { changeOwnPassword } from "@/lib/users/password-changes";
import { WASNT_ME_VALID_FOR_MS } from "@/emails/wasnt-me";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { renameOwnKey } from "@/lib/webauthn/keys";
import { KEY_NAMING_GRACE_MS } from "@/lib/webauthn/notifications";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { actAs } from "../support/next-request";
import { requestFromNewIp } from "../support/requests";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

const LINK = /https?:\/\/\S+\/wasnt-me\/([A-Za-z0-9_-]{43})/;

/** The "This wasn't me" token in the newest email of a template to an address. */
async function wasntMeTokenIn(to: string, template: string): Promise<string> {
  const message = await db().emailMessage.findFirstOrThrow({ where: { to, template }, orderBy: { createdAt: "desc" } });
  const token = LINK.exec(message.text)?.[1];
  if (!token) throw new Error(`no "This wasn't me" link in ${template} to ${to}`);
  expect(message.html).toContain(`/wasnt-me/${token}`);
  expect(message.text).toContain("This wasn't me");
  return token;
}

/** A user who registered a key (as an attacker signed in as them would), with two sessions, an activated browser and a pending login. */
async function userWithNewKey() {
  const org = await createOrg("Contained");
  await setOrgSettings(org.orgId, {});
  const secondAdmin = await createUser(org.admin, "ADMIN");
  const user = await createUser(org.admin);
  const session = await signIn(user.userId);
  const other = await signIn(user.userId);
  await activatedDeviceCookie(user.username);
  await reauthenticate(session.ctx);
  const key = await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);
  const pending = await authenticateWithPassword(user.username, TEST_PASSWORD, requestFromNewIp());
  const token = await wasntMeTokenIn(user.username, "security-key-registered");
  return { org, secondAdmin, ...user, session, other, key, pending, token };
}

/** Everything confirming could change. */
async function accountState(userId: string) {
  const [user, sessions, devices, keys, pendings, reports, emails, verifications, audits, codes, apps, temps] = await Promise.all([
    db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } }),
    db().session.count({ where: { userId, revokedAt: null } }),
    db().activatedDevice.count({ where: { userId, revokedAt: null } }),
    db().securityKey.count({ where: { userId, suspendedAt: null } }),
    db().pendingLogin.count({ where: { userId, expiresAt: { gt: new Date() } } }),
    db().compromiseReport.findMany({ where: { userId }, select: { confirmedAt: true }, orderBy: { createdAt: "asc" } }),
    db().emailMessage.count(),
    db().verificationEvent.count({ where: { userId } }),
    db().auditEvent.count(),
    db().recoveryCode.count({ where: { userId, suspendedAt: null } }),
    db().authenticatorApp.count({ where: { userId, suspendedAt: null } }),
    db().temporaryCode.count({ where: { userId } }),
  ]);
  return { user, sessions, devices, keys, pendings, reports, emails, verifications, audits, codes, apps, temps };
}

describe("This wasn't me", () => {
  it("is in every security email, bound to its outbox message, stored only hashed", async () => {
    const { userId, username, token } = await userWithNewKey();
    const report = await db().compromiseReport.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    const message = await db().emailMessage.findFirstOrThrow({ where: { to: username, template: "security-key-registered" } });
    expect(report).toMatchObject({ userId, emailMessageId: message.id, event: "security-key-registered", confirmedAt: null });
    expect(report.expiresAt.getTime() - report.createdAt.getTime()).toBe(WASNT_ME_VALID_FOR_MS);
    expect(JSON.stringify(await db().compromiseReport.findMany())).not.toContain(token);
  });

  it("showing the page (a GET) changes nothing", async () => {
    const { userId, token } = await userWithNewKey();
    const before = await accountState(userId);
    const shown = await inspectCompromiseLink(token);
    expect(shown).toMatchObject({ ok: true, summary: expect.stringContaining("was registered to your account") });
    await inspectCompromiseLink(token);
    expect(await accountState(userId)).toEqual(before);
  });

  it("confirming does every step in one transaction: sessions, pending logins and devices end, the new key is suspended (not deleted), the password stops working, admins are emailed, histories record it", async () => {
    const { org, secondAdmin, userId, username, session, key, token } = await userWithNewKey();
    await actAs(null, "198.51.100.9");
    const result = await confirmCompromiseAction({ token });
    // The key was the user's only factor: no reset link goes to a mailbox that may be all the clicker holds.
    expect(result).toEqual({ ok: true, data: { resetEmailed: false, recovery: "admin" } });

    const after = await accountState(userId);
    expect(after).toMatchObject({ user: { passwordHash: null }, sessions: 0, devices: 0, keys: 0, pendings: 0 });
    expect(await db().securityKey.findUnique({ where: { id: key.id } })).toMatchObject({ suspendedAt: expect.any(Date) });
    expect(await resolveOrgContext(session.token, TEST_REQUEST)).toBeNull();
    await expect(authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST)).rejects.toThrow("Check your username and password");

    const adminMail = await db().emailMessage.findMany({
      where: { orgId: org.orgId, template: "compromise-reported-admin" },
      select: { to: true, text: true },
    });
    expect(adminMail.map((m) => m.to).sort()).toEqual([org.adminUsername, secondAdmin.username].sort());
    expect(adminMail[0]!.text).toContain(`Security key “${key.name}”`);
    expect(adminMail[0]!.text).toContain("Admin recovery required");
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(0);

    const verification = await db().verificationEvent.findFirstOrThrow({ where: { userId, activity: "Report “This wasn't me”" } });
    expect(verification).toMatchObject({ method: "Emailed link", result: "Succeeded", ip: "198.51.100.9" });
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Reported “This wasn't me”", targetId: userId } })).toBe(1);
    expect(await db().compromiseReport.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).toMatchObject({ confirmedIp: "198.51.100.9" });
  });

  it("contains the account even when the containment email quota refuses the reset link, and says so", async () => {
    // A user without a second factor reporting a password change: the reset is self-service.
    const org = await createOrg("Quota");
    const { userId, username } = await createUser(org.admin);
    const { ctx } = await signIn(userId, { fresh: true });
    await changeOwnPassword(await stepUp(ctx), "another-password-0456");
    const token = await wasntMeTokenIn(username, "password-changed");
    // Earlier reports' resets used up this address's hour (an admin's or a stranger's mail counts apart: email-budgets.test.ts).
    const earlier = Array.from({ length: env().EMAIL_QUOTA_PER_RECIPIENT }, () => ({
      orgId: org.orgId,
      to: username,
      template: "password-reset",
      budget: "containment",
      subject: "Reset your Gatehouse password",
      text: "earlier",
      html: "<p>earlier</p>",
    }));
    await db().emailMessage.createMany({ data: earlier });
    expect(await confirmCompromiseLink(token, TEST_REQUEST)).toEqual({ resetEmailed: false, recovery: "self-service" });
    expect(await accountState(userId)).toMatchObject({ user: { passwordHash: null }, sessions: 0, devices: 0, pendings: 0 });
    expect(await db().emailMessage.count({ where: { orgId: org.orgId, template: "compromise-reported-admin" } })).toBe(1);
  });

  it("refuses forged, expired and reused links, changing nothing", async () => {
    const { userId, token } = await userWithNewKey();
    const before = await accountState(userId);
    await actAs(null);
    for (const forged of ["", "abc", `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`, "../../etc/passwd", "x".repeat(43)]) {
      const result = await confirmCompromiseAction({ token: forged });
      expect(result.ok, forged).toBe(false);
      expect(await inspectCompromiseLink(forged)).toEqual({ ok: false, problem: "invalid" });
    }
    const later = new Date(Date.now() + WASNT_ME_VALID_FOR_MS + 1000);
    expect(await inspectCompromiseLink(token, later)).toEqual({ ok: false, problem: "expired" });
    await expect(confirmCompromiseLink(token, TEST_REQUEST, later)).rejects.toThrow("This link has expired");
    expect(await accountState(userId)).toEqual(before);

    await confirmCompromiseLink(token, TEST_REQUEST);
    const confirmed = await accountState(userId);
    await expect(confirmCompromiseLink(token, TEST_REQUEST)).rejects.toThrow("This report was already made");
    expect(await inspectCompromiseLink(token)).toEqual({ ok: false, problem: "used" });
    expect(await accountState(userId)).toEqual(confirmed);
  });

  it("of two confirmations racing with one link, exactly one does anything", async () => {
    const { userId, org, token } = await userWithNewKey();
    const results = await Promise.allSettled([confirmCompromiseLink(token, TEST_REQUEST), confirmCompromiseLink(token, TEST_REQUEST)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Reported “This wasn't me”", targetId: userId } })).toBe(1);
  });

  it("suspends what each email reported (the new app, the new codes) and voids the temporary code", async () => {
    const org = await createOrg("Undo");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const session = await signIn(user.userId);
    await reauthenticate(session.ctx);
    const enrolment = await startAuthenticatorEnrolment(await registering(session.ctx));
    await confirmAuthenticatorEnrolment(await proveMailbox(session.ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
    expect(await confirmCompromiseLink(await wasntMeTokenIn(user.username, "authenticator-app-connected"), TEST_REQUEST)).toEqual({
      resetEmailed: false,
      recovery: "admin",
    });
    expect(await db().authenticatorApp.findFirstOrThrow({ where: { userId: user.userId } })).toMatchObject({ suspendedAt: expect.any(Date) });

    // An admin removes the app; the user is back to no second factor (the reset after the next report is self-service).
    await removeSuspendedFactor(await stepUp(org.admin), user.userId, {
      kind: "authenticator-app",
      id: (await db().authenticatorApp.findFirstOrThrow({ where: { userId: user.userId } })).id,
    });
    await db().user.update({ where: { id: user.userId }, data: { adminRecoveryRequiredAt: null } });
    const again = await signIn(user.userId, { fresh: true });
    await generateRecoveryCodes(await stepUp(again.ctx));
    await confirmCompromiseLink(await wasntMeTokenIn(user.username, "recovery-codes-generated"), TEST_REQUEST);
    expect(await db().recoveryCode.count({ where: { userId: user.userId, suspendedAt: null } })).toBe(0);
    expect(await db().recoveryCode.count({ where: { userId: user.userId } })).toBe(10);

    await issueTemporaryCode(await stepUp(org.admin), user.userId, 4);
    await confirmCompromiseLink(await wasntMeTokenIn(user.username, "temporary-code-issued"), TEST_REQUEST);
    expect(await db().temporaryCode.count({ where: { userId: user.userId } })).toBe(0);
  });

  it("follows the key's email when it is held for its name: naming re-issues the link, the old one never worked, the new one suspends the key", async () => {
    const { userId, session, key, token: heldToken } = await userWithNewKey();
    await renameOwnKey(session.ctx, key.id, "Backup key (drawer)");
    const token = await wasntMeTokenIn(session.ctx.username, "security-key-registered");
    expect(token).not.toBe(heldToken);
    expect(await inspectCompromiseLink(heldToken)).toEqual({ ok: false, problem: "invalid" });
    const shown = await inspectCompromiseLink(token);
    expect(shown).toMatchObject({ ok: true });
    expect(shown.ok && shown.summary).toContain("Backup key (drawer)");
    await confirmCompromiseLink(token, TEST_REQUEST);
    expect(await db().securityKey.count({ where: { userId, suspendedAt: null } })).toBe(0);
    expect(await db().securityKey.count({ where: { userId } })).toBe(1);
  });

  it("survives the outbox blanking the delivered body: the link is checked against the stored hash", async () => {
    const { userId, token } = await userWithNewKey();
    const sent: string[] = [];
    const transport: MailTransport = {
      kind: "smtp",
      send: async (mail) => {
        sent.push(mail.text);
        return { messageId: mail.messageId };
      },
      close: () => undefined,
    };
    // The key's email waits for "Name your key" (or the grace period): deliver once that has passed.
    await deliverDueEmails({ transport, batchSize: 500, now: () => new Date(Date.now() + KEY_NAMING_GRACE_MS + 1_000) });
    const report = await db().compromiseReport.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    const stored = await db().emailMessage.findUniqueOrThrow({ where: { id: report.emailMessageId! } });
    expect(stored.text).toBe(SECRET_REMOVED);
    expect(sent.some((text) => text.includes(`/wasnt-me/${token}`))).toBe(true);
    await confirmCompromiseLink(token, TEST_REQUEST);
    expect(await db().securityKey.count({ where: { userId, suspendedAt: null } })).toBe(0);
    expect(await db().securityKey.count({ where: { userId } })).toBe(1);
  });
});
