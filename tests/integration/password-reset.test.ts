import { describe, expect, it, vi } from "vitest";
import { registering } from "../support/step-up";
import { changePasswordAction } from "@/app/(app)/settings/advanced/actions";
import { resetUserPasswordAction } from "@/app/(app)/setup/users/actions";
import { forgotPasswordAction } from "@/app/(auth)/forgot-password/actions";
import { setPasswordAction } from "@/app/(auth)/set-password/[token]/actions";
import { resolveOrgContext } from "@/lib/auth/context";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { PASSWORD_MESSAGES } from "@/lib/auth/passwords/password-policy";
import { hashToken } from "@/lib/crypto/tokens";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { completeInvitation, inspectInvitation, RESET_TTL_MS } from "@/lib/users/invitations";
import { FORGOT_PASSWORD_LIMITS, FORGOT_PASSWORD_MIN_MS, requestPasswordReset } from "@/lib/users/password-reset";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { logInFully } from "../support/login";
import { actAs } from "../support/next-request";
import { requestFromNewIp } from "../support/requests";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

const NEW_PASSWORD = "plum-kettle-orbit-42";

/** The link in the newest "Reset your Gatehouse password" email to an address. */
async function resetLinkFor(email: string): Promise<string> {
  const message = await db().emailMessage.findFirstOrThrow({ where: { to: email, template: "password-reset" }, orderBy: { createdAt: "desc" } });
  const link = /https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]{43}/.exec(message.text)?.[0];
  if (!link) throw new Error(`no reset link in the email to ${email}`);
  return link;
}
const tokenOf = (link: string) => link.split("/").at(-1)!;

async function userWithSessions() {
  const org = await createOrg("Reset");
  const user = await createUser(org.admin);
  const first = await signIn(user.userId);
  const second = await signIn(user.userId);
  return { org, ...user, first, second };
}

async function liveSessions(userId: string) {
  return db().session.count({ where: { userId, revokedAt: null } });
}

describe("Forgot your password?", () => {
  it("emails a 1-hour single-use link whose token is stored only hashed, then sets the password and ends every session and pending login", async () => {
    const { username, userId, first } = await userWithSessions();
    const pending = await authenticateWithPassword(username, TEST_PASSWORD, requestFromNewIp());
    await requestPasswordReset(username, TEST_REQUEST, { minDurationMs: 0 });

    const link = await resetLinkFor(username);
    const token = tokenOf(link);
    const row = await db().invitationToken.findFirstOrThrow({ where: { userId, purpose: "reset" } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(await db().invitationToken.findMany())).not.toContain(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(RESET_TTL_MS);
    expect(await inspectInvitation(token)).toMatchObject({ ok: true, purpose: "reset", username });

    await actAs(null);
    expect(await setPasswordAction({ token, password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).toEqual({ ok: true, data: { username } });
    expect(await liveSessions(userId)).toBe(0);
    expect(await resolveOrgContext(first.token, TEST_REQUEST)).toBeNull();
    expect(pending.next).toBe("verify");
    expect(await db().pendingLogin.count({ where: { userId, completedAt: null, expiresAt: { gt: new Date() } } })).toBe(0);
    await expect(authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST)).rejects.toThrow("Check your username and password");
    await logInFully(username, NEW_PASSWORD, TEST_REQUEST);
    const changed = await db().emailMessage.findFirstOrThrow({ where: { to: username, template: "password-changed" } });
    expect(changed.text).toContain("reset with an emailed link");
    expect(changed.text).toMatch(/\/wasnt-me\/[A-Za-z0-9_-]{43}/);
    expect(await db().verificationEvent.count({ where: { userId, activity: "Reset password" } })).toBe(1);

    // Single use: the same link again changes nothing.
    const before = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
    const again = await setPasswordAction({ token, password: "another-new-passphrase", confirmPassword: "another-new-passphrase" });
    expect(again).toMatchObject({ ok: false, error: "This link has already been used" });
    expect(await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } })).toEqual(before);
  });

  it("refuses an expired link and changes nothing", async () => {
    const { username, userId } = await userWithSessions();
    await requestPasswordReset(username, TEST_REQUEST, { minDurationMs: 0 });
    const token = tokenOf(await resetLinkFor(username));
    const later = new Date(Date.now() + RESET_TTL_MS + 1000);
    expect(await inspectInvitation(token, later)).toEqual({ ok: false, problem: "expired", purpose: "reset" });
    const before = { counts: await tableCounts(), sessions: await liveSessions(userId) };
    await expect(completeInvitation(token, NEW_PASSWORD, later)).rejects.toThrow("This link has expired");
    expect({ counts: await tableCounts(), sessions: await liveSessions(userId) }).toEqual(before);
    await logInFully(username, TEST_PASSWORD, TEST_REQUEST);
  });

  it("never skips verification: a user with a security key is still asked for it, and a new browser for activation", async () => {
    const org = await createOrg("Keyed");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const session = await signIn(user.userId);
    await reauthenticate(session.ctx);
    await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);

    await requestPasswordReset(user.username, TEST_REQUEST, { minDurationMs: 0 });
    await completeInvitation(tokenOf(await resetLinkFor(user.username)), NEW_PASSWORD);
    const step = await authenticateWithPassword(user.username, NEW_PASSWORD, requestFromNewIp());
    expect(step.next).toBe("verify");
    expect(step.needs).toMatchObject({ secondFactor: true, deviceActivation: true });
  });

  it("answers the same, in about the same time, for an unknown username and a real one", async () => {
    const { username } = await userWithSessions();
    await actAs(null, "198.51.100.20");
    const timed = async (name: string) => {
      const started = performance.now();
      const result = await forgotPasswordAction({ username: name });
      return { result, ms: performance.now() - started };
    };
    const known = await timed(username);
    const unknown = await timed(`nobody-${Date.now()}@nowhere.test`);
    expect(unknown.result).toEqual(known.result);
    expect(known.result).toEqual({ ok: true, data: undefined });
    for (const { ms } of [known, unknown]) expect(ms).toBeGreaterThanOrEqual(FORGOT_PASSWORD_MIN_MS - 5);
    expect(Math.abs(known.ms - unknown.ms)).toBeLessThan(200);
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(1);
  });

  it("a stranger's requests cannot block the owner's: past a username's budget the same answer, nothing sent", async () => {
    const { username, userId } = await userWithSessions();
    const stranger = requestFromNewIp();
    const { perUsernameFromNetwork, perUsername } = FORGOT_PASSWORD_LIMITS;
    for (let i = 0; i < perUsernameFromNetwork.limit + 2; i++) {
      await expect(requestPasswordReset(username, stranger, { minDurationMs: 0 })).resolves.toBeUndefined();
    }
    // The stranger's network got its budget's worth of emails and no more.
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(perUsernameFromNetwork.limit);
    // The owner, from their own network, still gets a link.
    await requestPasswordReset(username, requestFromNewIp(), { minDurationMs: 0 });
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(perUsernameFromNetwork.limit + 1);
    // Only the newest link works.
    expect(await db().invitationToken.count({ where: { userId, purpose: "reset", usedAt: null } })).toBe(1);

    // Across networks a username is sent at most perUsername emails an hour, still with the same answer.
    for (let i = 0; i < perUsername.limit; i++) await requestPasswordReset(username, requestFromNewIp(), { minDurationMs: 0 });
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(perUsername.limit);
  });

  it("limits requests per IP, in the database", async () => {
    const ip = { ip: "198.51.100.77", userAgent: TEST_REQUEST.userAgent };
    for (let i = 0; i < FORGOT_PASSWORD_LIMITS.perIp.limit; i++) {
      await requestPasswordReset(`nobody-${i}@nowhere.test`, ip, { minDurationMs: 0 });
    }
    await expect(requestPasswordReset("someone-else@nowhere.test", ip, { minDurationMs: 0 })).rejects.toThrow(/Too many attempts/);
    expect(await db().rateLimit.count({ where: { key: { startsWith: "forgot:" } } })).toBeGreaterThan(0);
  });

  it("counts the email towards the org's quota of requested mail: over it, the same answer, no email, no link, an audit row", async () => {
    const { username, userId, org } = await userWithSessions();
    const earlier = Array.from({ length: env().EMAIL_QUOTA_PER_RECIPIENT }, () => ({
      orgId: org.orgId,
      to: username,
      template: "password-reset",
      budget: "requested",
      subject: "Reset your Gatehouse password",
      text: "earlier",
      html: "<p>earlier</p>",
    }));
    await db().emailMessage.createMany({ data: earlier });
    const mailBefore = await db().emailMessage.count({ where: { to: username } });
    await actAs(null, "198.51.100.21");
    expect(await forgotPasswordAction({ username })).toEqual({ ok: true, data: undefined });
    expect(await db().emailMessage.count({ where: { to: username } })).toBe(mailBefore);
    expect(await db().invitationToken.count({ where: { userId, purpose: "reset" } })).toBe(0);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Email refused: quota reached" } })).toBe(1);
  });

  it("refuses a new password that breaks the policy, saying why, and keeps the link usable", async () => {
    const { username, org } = await userWithSessions();
    await requestPasswordReset(username, TEST_REQUEST, { minDurationMs: 0 });
    const token = tokenOf(await resetLinkFor(username));
    await actAs(null);
    const local = username.split("@")[0]!;
    const cases = [
      ["password1234", PASSWORD_MESSAGES.common],
      ["too-short", PASSWORD_MESSAGES.tooShort],
      [`my-${local}-pass`, PASSWORD_MESSAGES.username],
      [`${org.slug.split("-")[0]}-reset-team-pass`, PASSWORD_MESSAGES.orgName],
    ] as const;
    for (const [password, message] of cases) {
      const result = await setPasswordAction({ token, password, confirmPassword: password });
      expect(result, password).toMatchObject({ ok: false, fieldErrors: { password: message } });
    }
    expect(await inspectInvitation(token)).toMatchObject({ ok: true });
  });
});

describe("Change password (Advanced User Details)", () => {
  it("needs a fresh verify-it's-you, then changes the password, ends every other session and emails the user", async () => {
    const { userId, username, first, second } = await userWithSessions();
    await actAs(first.token);
    const input = { password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD };
    expect(await changePasswordAction(input)).toMatchObject({ ok: false, code: "fresh-auth-required" });
    expect(await db().emailMessage.count({ where: { to: username, template: "password-changed" } })).toBe(0);

    await reauthenticate(first.ctx);
    expect(await changePasswordAction(input)).toEqual({ ok: true, data: undefined });
    expect(await resolveOrgContext(first.token, TEST_REQUEST)).not.toBeNull();
    expect(await resolveOrgContext(second.token, TEST_REQUEST)).toBeNull();
    expect(await liveSessions(userId)).toBe(1);
    await logInFully(username, NEW_PASSWORD, TEST_REQUEST);
    const email = await db().emailMessage.findFirstOrThrow({ where: { to: username, template: "password-changed" } });
    expect(email.text).toContain("changed in Advanced User Details");
    expect(await db().compromiseReport.count({ where: { userId, emailMessageId: email.id, event: "password-changed" } })).toBe(1);
    expect(await db().verificationEvent.count({ where: { userId, activity: "Change password", method: "Password" } })).toBe(1);
  });

  it("voids every set-password and reset link of the user: a link someone took from the mailbox no longer sets the password", async () => {
    const { userId, username, first } = await userWithSessions();
    await requestPasswordReset(username, TEST_REQUEST, { minDurationMs: 0 });
    const stolen = tokenOf(await resetLinkFor(username));
    expect(await inspectInvitation(stolen)).toMatchObject({ ok: true });

    await reauthenticate(first.ctx);
    await actAs(first.token);
    expect(await changePasswordAction({ password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).toEqual({ ok: true, data: undefined });

    expect(await inspectInvitation(stolen)).toMatchObject({ ok: false });
    await actAs(null);
    const attacker = "attacker-chosen-passphrase-9";
    expect(await setPasswordAction({ token: stolen, password: attacker, confirmPassword: attacker })).toMatchObject({ ok: false });
    await expect(authenticateWithPassword(username, attacker, TEST_REQUEST)).rejects.toThrow("Check your username and password");
    await logInFully(username, NEW_PASSWORD, TEST_REQUEST);
    expect(await db().invitationToken.count({ where: { userId, usedAt: null } })).toBe(0);
  });

  it("refuses a password against the policy with its reason, changing nothing", async () => {
    const { first, userId } = await userWithSessions();
    await reauthenticate(first.ctx);
    await actAs(first.token);
    const before = await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
    const result = await changePasswordAction({ password: "qwertyuiop123", confirmPassword: "qwertyuiop123" });
    expect(result).toMatchObject({ ok: false, fieldErrors: { password: PASSWORD_MESSAGES.common } });
    expect(await db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } })).toEqual(before);
    expect(await liveSessions(userId)).toBe(2);
  });
});

describe("an admin's Reset password", () => {
  it("a second reset within a minute says one was just sent, and sends nothing", async () => {
    const { org, userId, username } = await userWithSessions();
    const admin = await signIn(org.adminId);
    await actAs(admin.token);
    await reauthenticate(admin.ctx);
    expect(await resetUserPasswordAction({ userId })).toEqual({ ok: true, data: undefined });
    const link = await resetLinkFor(username);
    const again = await resetUserPasswordAction({ userId });
    expect(again).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^A reset link was just sent to .+\. Ask them to check their email before sending another\.$/),
    });
    expect(await db().emailMessage.count({ where: { to: username, template: "password-reset" } })).toBe(1);
    // The first link still works.
    await completeInvitation(tokenOf(link), NEW_PASSWORD);
  });

  it("needs the admin's fresh verify-it's-you; then the old password stops working, the user's sessions end, a link is emailed, audited", async () => {
    const { org, userId, username, first } = await userWithSessions();
    const admin = await signIn(org.adminId);
    await actAs(admin.token);
    expect(await resetUserPasswordAction({ userId })).toMatchObject({ ok: false, code: "fresh-auth-required" });
    expect(await liveSessions(userId)).toBe(2);

    await reauthenticate(admin.ctx);
    expect(await resetUserPasswordAction({ userId })).toEqual({ ok: true, data: undefined });
    expect(await liveSessions(userId)).toBe(0);
    expect(await resolveOrgContext(first.token, TEST_REQUEST)).toBeNull();
    await expect(authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST)).rejects.toThrow("Check your username and password");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Reset password", targetId: userId } });
    expect(audit).toMatchObject({ actorId: org.adminId, newValue: username, ip: "203.0.113.7" });
    const email = await db().emailMessage.findFirstOrThrow({ where: { to: username, template: "password-reset" } });
    expect(email.text).toContain("an admin of your org reset your password");
    await completeInvitation(tokenOf(await resetLinkFor(username)), NEW_PASSWORD);
    await logInFully(username, NEW_PASSWORD, TEST_REQUEST);
  });

  it("voids the user's earlier reset links: only the link it emails sets the password", async () => {
    const { org, userId, username } = await userWithSessions();
    await requestPasswordReset(username, TEST_REQUEST, { minDurationMs: 0 });
    const earlier = tokenOf(await resetLinkFor(username));
    const admin = await signIn(org.adminId, { fresh: true });
    await actAs(admin.token);
    expect(await resetUserPasswordAction({ userId })).toEqual({ ok: true, data: undefined });
    await expect(completeInvitation(earlier, "attacker-chosen-passphrase-9")).rejects.toThrow("A newer link was sent; use the latest email");
    await completeInvitation(tokenOf(await resetLinkFor(username)), NEW_PASSWORD);
    expect(await db().invitationToken.count({ where: { userId, usedAt: null } })).toBe(0);
  });

  it("is refused for another org's user, changing nothing", async () => {
    const victim = await userWithSessions();
    const other = await createOrg("Other");
    const otherAdmin = await signIn(other.adminId, { fresh: true });
    await actAs(otherAdmin.token);
    expect(await resetUserPasswordAction({ userId: victim.userId })).toMatchObject({ ok: false, code: "not-found" });
    expect(await liveSessions(victim.userId)).toBe(2);
    expect(await db().emailMessage.count({ where: { to: victim.username, template: "password-reset" } })).toBe(0);
  });
});
