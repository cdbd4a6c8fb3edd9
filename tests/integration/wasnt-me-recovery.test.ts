import { describe, expect, it, vi } from "vitest";
import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verificationChoices } from "@/lib/auth/login/verification-choices";
import { sendEmailCode, verifyWithEmailCode } from "@/lib/auth/login/verify-email-code";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { adminRecoveryOf, removeSuspendedFactor, restoreSuspendedFactor } from "@/lib/users/admin-recovery";
import { confirmCompromiseLink } from "@/lib/users/compromise";
import { completeInvitation } from "@/lib/users/invitations";
import { recoverFromCommandLine } from "@/lib/users/operator-recovery";
import { adminResetPassword, requestPasswordReset } from "@/lib/users/password-reset";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

// DESIGN.md section 10: whoever holds only the mailbox must never end with a
// session. A "This wasn't me" link suspends (never deletes) what it reports;
// when that leaves the user no usable factor, or the org requires MFA, only an
// admin (or, for the org's only admin, the operator) recovers the account.

const ATTACKER = { ip: "198.51.100.66", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/150.0" };
const ATTACKER_PASSWORD = "attacker-chosen-password-77";
const OWNER_PASSWORD = "owner-recovered-password-42";

async function newestMail(to: string, template: string, after: Date) {
  return db().emailMessage.findFirst({ where: { to, template, createdAt: { gte: after } }, orderBy: { createdAt: "desc" } });
}

async function wasntMeToken(to: string, template: string): Promise<string> {
  const message = await db().emailMessage.findFirstOrThrow({ where: { to, template }, orderBy: { createdAt: "desc" } });
  return /\/wasnt-me\/([A-Za-z0-9_-]{43})/.exec(message.text)![1]!;
}

const setPasswordToken = (text: string) => /\/set-password\/([A-Za-z0-9_-]{43})/.exec(text)![1]!;

/**
 * Everything someone who reads only the user's mailbox can do, from their own
 * browser: confirm the link, take the reset link it sends (or ask for one with
 * "Forgot your password?"), choose a password, log in, and answer whatever an
 * email can answer. The session token when any of it got one, else null.
 */
async function mailboxAttack(email: string, username: string, token: string): Promise<string | null> {
  const started = new Date(Date.now() - 1000);
  await confirmCompromiseLink(token, ATTACKER);
  if (!(await newestMail(email, "password-reset", started))) await requestPasswordReset(username, ATTACKER, { minDurationMs: 0 });
  const reset = await newestMail(email, "password-reset", started);
  if (!reset) return null;
  await completeInvitation(setPasswordToken(reset.text), ATTACKER_PASSWORD);
  const step = await authenticateWithPassword(username, ATTACKER_PASSWORD, { ...ATTACKER, deviceCookie: null });
  if (step.next === "complete") return (await completePendingLogin(step.pendingToken, ATTACKER)).sessionToken;
  const pending = await requirePendingLogin(step.pendingToken);
  const { methods } = await verificationChoices(pending);
  if (methods.includes("email-code")) {
    await sendEmailCode(pending, ATTACKER);
    const code = /\b(\d{6})\b/.exec((await newestMail(email, "device-activation-code", started))!.text)![1]!;
    await verifyWithEmailCode(await requirePendingLogin(step.pendingToken), code, ATTACKER).catch(() => undefined);
  }
  return completePendingLogin(step.pendingToken, ATTACKER).then(
    (done) => done.sessionToken,
    () => null,
  );
}

const liveSessions = (userId: string) => db().session.count({ where: { userId, revokedAt: null } });

type Factor = "security key" | "authenticator app";

/** A user (or, with `admin`, the org's only admin) whose only factor is one they added this week, and the "This wasn't me" link of its email. */
async function userWithNewFactor(factor: Factor, { requireMfa = false, soleAdmin = false } = {}) {
  const org = await createOrg("Mailbox");
  await setOrgSettings(org.orgId, {});
  const user = soleAdmin ? { userId: org.adminId, username: org.adminUsername } : await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  let factorId: string;
  if (factor === "security key") {
    const { response } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
    factorId = (await finishKeyRegistration(await registering(ctx), response)).id;
  } else {
    const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
    await confirmAuthenticatorEnrolment(await proveMailbox(ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
    factorId = (await db().authenticatorApp.findFirstOrThrow({ where: { userId: user.userId } })).id;
  }
  // Required MFA turned on once the user enrolled (they are the first week of a rollout).
  if (requireMfa) await db().orgSettings.update({ where: { orgId: org.orgId }, data: { requireMfa: true } });
  const template = factor === "security key" ? "security-key-registered" : "authenticator-app-connected";
  return { org, ...user, factorId, token: await wasntMeToken(user.username, template) };
}

async function suspendedAtOf(factor: Factor, id: string) {
  return factor === "security key"
    ? (await db().securityKey.findUniqueOrThrow({ where: { id } })).suspendedAt
    : (await db().authenticatorApp.findUniqueOrThrow({ where: { id } })).suspendedAt;
}

describe("an attacker who holds only the mailbox", () => {
  it.each([
    { factor: "security key" as const, requireMfa: false },
    { factor: "security key" as const, requireMfa: true },
    { factor: "authenticator app" as const, requireMfa: false },
    { factor: "authenticator app" as const, requireMfa: true },
  ])("ends without a session when the user's only $factor is reported (required MFA: $requireMfa)", async ({ factor, requireMfa }) => {
    const { org, userId, username, factorId, token } = await userWithNewFactor(factor, { requireMfa });
    const started = new Date(Date.now() - 1000);

    expect(await mailboxAttack(username, username, token)).toBeNull();
    expect(await liveSessions(userId)).toBe(0);

    // Suspended, never deleted; the account waits for an admin, and no self-service reset was mailed by the report.
    expect(await suspendedAtOf(factor, factorId)).toBeInstanceOf(Date);
    expect((await db().user.findUniqueOrThrow({ where: { id: userId } })).adminRecoveryRequiredAt).toBeInstanceOf(Date);
    const resets = await db().emailMessage.findMany({ where: { to: username, template: "password-reset", createdAt: { gte: started } } });
    expect(resets).toHaveLength(1); // the attacker's own "Forgot your password?", which got them nowhere
    const adminMail = await db().emailMessage.findFirstOrThrow({ where: { to: org.adminUsername, template: "compromise-reported-admin" } });
    expect(adminMail.text).toContain("Admin recovery required");
    expect(adminMail.text).toContain(factor === "security key" ? "Security key" : "Authenticator app");
  });

  it("cannot use a suspended factor even with a password they somehow learned: only the admin's temporary code verifies", async () => {
    const { userId, username, token } = await userWithNewFactor("authenticator app");
    await confirmCompromiseLink(token, ATTACKER);
    await completeInvitation(await adminResetLink(userId), OWNER_PASSWORD);
    const step = await authenticateWithPassword(username, OWNER_PASSWORD, { ...TEST_REQUEST, deviceCookie: null });
    expect(step.needs.secondFactor).toBe(true);
    const choices = await verificationChoices(await requirePendingLogin(step.pendingToken));
    expect(choices).toMatchObject({ methods: [], adminRecovery: "admin" });
    const app = await db().authenticatorApp.findFirstOrThrow({ where: { userId } });
    expect(app.suspendedAt).not.toBeNull();
  });
});

/** An admin's "Reset password" for a user (the set-password link it emails). */
async function adminResetLink(userId: string): Promise<string> {
  const user = await db().user.findUniqueOrThrow({ where: { id: userId }, include: { org: true } });
  const admin = await db().user.findFirstOrThrow({ where: { orgId: user.orgId, role: "ADMIN", isActive: true, id: { not: userId } } });
  const { ctx } = await signIn(admin.id, { fresh: true });
  await adminResetPassword(await stepUp(ctx as never), userId);
  return setPasswordToken(
    (await db().emailMessage.findFirstOrThrow({ where: { to: user.email, template: "password-reset" }, orderBy: { createdAt: "desc" } })).text,
  );
}

/** Logs in with a password and the temporary code: the session token. */
async function logInWithTemporaryCode(username: string, password: string, code: string) {
  const step = await authenticateWithPassword(username, password, { ...TEST_REQUEST, deviceCookie: null });
  const pending = await requirePendingLogin(step.pendingToken);
  expect((await verificationChoices(pending)).methods).toEqual(["temporary-code"]);
  await verifyWithOneTimeCode(pending, "temporary-code", code, TEST_REQUEST);
  return (await completePendingLogin(step.pendingToken, TEST_REQUEST)).sessionToken;
}

describe("the real user recovers", () => {
  it("through an admin: the user's page lists the suspended factor, the admin restores it (audited), resets the password and issues a temporary code", async () => {
    const { org, userId, username, factorId, token } = await userWithNewFactor("security key", { requireMfa: true });
    expect(await mailboxAttack(username, username, token)).toBeNull();

    const recovery = await adminRecoveryOf(org.admin, userId);
    expect(recovery).toMatchObject({ required: true, by: "admin", factors: [{ kind: "security-key", id: factorId }] });
    await restoreSuspendedFactor(await stepUp(org.admin), userId, { kind: "security-key", id: factorId });
    expect(await suspendedAtOf("security key", factorId)).toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Restored suspended security key", targetId: userId } })).toBe(1);

    await completeInvitation(await adminResetLink(userId), OWNER_PASSWORD);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), userId, 2);
    const session = await logInWithTemporaryCode(username, OWNER_PASSWORD, code);
    expect(session).toBeTruthy();
    expect(await liveSessions(userId)).toBe(1);
    expect((await db().user.findUniqueOrThrow({ where: { id: userId } })).adminRecoveryRequiredAt).toBeNull();

    // Recovered: the restored key is offered again at the next login.
    const next = await authenticateWithPassword(username, OWNER_PASSWORD, { ...TEST_REQUEST, deviceCookie: null });
    expect((await verificationChoices(await requirePendingLogin(next.pendingToken))).methods).toContain("security-key");
  });

  it("through an admin who removes the suspended factor instead (audited); admins of other orgs and the attacker's links change nothing", async () => {
    const { org, userId, username, factorId, token } = await userWithNewFactor("authenticator app");
    await confirmCompromiseLink(token, ATTACKER);
    const other = await createOrg("Elsewhere");
    await expect(stepUp(other.admin).then((c) => restoreSuspendedFactor(c, userId, { kind: "authenticator-app", id: factorId }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(stepUp(other.admin).then((c) => removeSuspendedFactor(c, userId, { kind: "authenticator-app", id: factorId }))).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await adminRecoveryOf(other.admin, userId)).toBeNull();

    await removeSuspendedFactor(await stepUp(org.admin), userId, { kind: "authenticator-app", id: factorId });
    expect(await db().authenticatorApp.count({ where: { userId } })).toBe(0);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Removed suspended authenticator app", targetId: userId } })).toBe(1);
    // A factor that is not suspended is not this action's to touch.
    await expect(stepUp(org.admin).then((c) => removeSuspendedFactor(c, userId, { kind: "authenticator-app", id: factorId }))).rejects.toBeInstanceOf(
      NotFoundError,
    );

    await completeInvitation(await adminResetLink(userId), OWNER_PASSWORD);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), userId, 1);
    expect(await logInWithTemporaryCode(username, OWNER_PASSWORD, code)).toBeTruthy();
  });

  it("the org's only active admin, through the operator's command line: the page says so, the command prints a code and a link, audited as the system", async () => {
    const { org, userId, username, token } = await userWithNewFactor("security key", { soleAdmin: true });
    expect(await confirmCompromiseLink(token, TEST_REQUEST)).toEqual({ resetEmailed: false, recovery: "operator" });
    expect(await liveSessions(userId)).toBe(0);

    await expect(recoverFromCommandLine({ orgSlug: org.slug, username: "nobody@nowhere.test" })).rejects.toThrow("No user");
    const printed = await recoverFromCommandLine({ orgSlug: org.slug, username, hours: 2 });
    expect(printed).toMatchObject({ kind: "temporary-code", code: expect.any(String), setPasswordLink: expect.stringContaining("/set-password/") });
    if (printed.kind !== "temporary-code") throw new Error("no code");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Issued temporary verification code", targetId: userId } });
    expect(audit).toMatchObject({ actorId: null, actorName: null });

    await completeInvitation(setPasswordToken(printed.setPasswordLink!), OWNER_PASSWORD);
    expect(await logInWithTemporaryCode(username, OWNER_PASSWORD, printed.code)).toBeTruthy();
    expect((await db().user.findUniqueOrThrow({ where: { id: userId } })).adminRecoveryRequiredAt).toBeNull();
  });

  it("whoever holds the mailbox cannot block the recovery by reporting the recovery code's own email", async () => {
    const { org, username, token } = await userWithNewFactor("security key", { soleAdmin: true });
    await confirmCompromiseLink(token, ATTACKER);
    const printed = await recoverFromCommandLine({ orgSlug: org.slug, username, hours: 2 });
    if (printed.kind !== "temporary-code") throw new Error("no code");
    // The "temporary code issued" notice reaches the (stolen) mailbox with its own "This wasn't me" link.
    const report = await wasntMeToken(username, "temporary-code-issued");
    expect(await confirmCompromiseLink(report, ATTACKER)).toMatchObject({ resetEmailed: false });
    // The code, and the set-password link the operator printed, still recover the account.
    await completeInvitation(setPasswordToken(printed.setPasswordLink!), OWNER_PASSWORD);
    expect(await logInWithTemporaryCode(username, OWNER_PASSWORD, printed.code)).toBeTruthy();
    const mail = await db().emailMessage.findFirstOrThrow({
      where: { orgId: org.orgId, template: "compromise-reported-admin" },
      orderBy: { createdAt: "desc" },
    });
    expect(mail.text).toContain("stays valid");
  });

  it("the operator can instead clear the flag alone (audited as the system)", async () => {
    const { org, userId, username, token } = await userWithNewFactor("security key", { soleAdmin: true });
    await confirmCompromiseLink(token, TEST_REQUEST);
    expect(await recoverFromCommandLine({ orgSlug: org.slug, username, clear: true })).toEqual({ kind: "cleared" });
    expect((await db().user.findUniqueOrThrow({ where: { id: userId } })).adminRecoveryRequiredAt).toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Cleared “Admin recovery required”", actorId: null, targetId: userId } })).toBe(1);
  });
});

describe("what a report suspends", () => {
  it("the reported factor and every factor added since an older factor last verified the user; the older one keeps working, and the reset is self-service", async () => {
    const org = await createOrg("Scope");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const { ctx } = await signIn(user.userId);
    await reauthenticate(ctx);
    const old = await keyResponseFor(ctx, { attestation: "fido-u2f" });
    const oldKey = await finishKeyRegistration(await registering(ctx), old.response);
    const day = 24 * 3_600_000;
    await db().securityKey.update({
      where: { id: oldKey.id },
      data: { createdAt: new Date(Date.now() - 30 * day), lastUsedAt: new Date(Date.now() - 5 * day) },
    });
    const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
    await confirmAuthenticatorEnrolment(await proveMailbox(ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
    await db().authenticatorApp.updateMany({ where: { userId: user.userId }, data: { createdAt: new Date(Date.now() - 3 * day) } });
    const fresh = await signIn(user.userId, { fresh: true });
    const added = await keyResponseFor(fresh.ctx, { attestation: "fido-u2f" });
    const newKey = await finishKeyRegistration(await registering(fresh.ctx), added.response);

    const result = await confirmCompromiseLink(await wasntMeToken(user.username, "security-key-registered"), TEST_REQUEST);
    expect(result).toEqual({ resetEmailed: true, recovery: "self-service" });
    expect(await suspendedAtOf("security key", newKey.id)).toBeInstanceOf(Date);
    expect((await db().authenticatorApp.findFirstOrThrow({ where: { userId: user.userId } })).suspendedAt).toBeInstanceOf(Date);
    expect(await suspendedAtOf("security key", oldKey.id)).toBeNull();

    // The owner sets a password from the emailed link and logs in with the older key; the suspended key is refused.
    await completeInvitation(
      setPasswordToken((await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "password-reset" } })).text),
      OWNER_PASSWORD,
    );
    const step = await authenticateWithPassword(user.username, OWNER_PASSWORD, { ...TEST_REQUEST, deviceCookie: null });
    const pending = await requirePendingLogin(step.pendingToken);
    expect((await verificationChoices(pending)).methods).toEqual(["security-key"]);
    const { challenge } = await startKeyVerification(pending);
    await expect(verifyWithKey(pending, added.authenticator.assert(added.credential, challenge), TEST_REQUEST)).rejects.toThrow("suspended");
    const retry = await startKeyVerification(await requirePendingLogin(step.pendingToken));
    await verifyWithKey(await requirePendingLogin(step.pendingToken), old.authenticator.assert(old.credential, retry.challenge), TEST_REQUEST);
    expect((await completePendingLogin(step.pendingToken, TEST_REQUEST)).sessionToken).toBeTruthy();
  });
});
