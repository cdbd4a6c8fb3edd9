import { describe, expect, it } from "vitest";
import { registering } from "../support/step-up";
import { deviceCookieValue } from "@/lib/auth/login/devices";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { EMAIL_CODE_SEND_LIMIT, sendEmailCode, verifyWithEmailCode } from "@/lib/auth/login/verify-email-code";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import {
  completePendingLogin,
  findPendingLogin,
  LoginExpiredError,
  MAX_FAILED_VERIFICATIONS,
  PENDING_LOGIN_TTL_MS,
  requirePendingLogin,
} from "@/lib/auth/login/pending-login";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { RateLimitedError, UserFacingError } from "@/lib/errors";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { WebAuthnRefusal } from "@/lib/webauthn/refusal";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import type { SoftAuthenticator, SoftCredential } from "../support/soft-authenticator";

useTestDatabase();

/** A user of a keys-allowed org with one registered key (fido-u2f), and the software key holding it. */
async function userWithKey(orgName = "Verify") {
  const org = await createOrg(orgName);
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const { response, authenticator, credential } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
  const key = await finishKeyRegistration(await registering(ctx), response);
  // Registration left a session; these tests are about logging in, so start from none.
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { org, user, key, authenticator, credential };
}

async function passwordStep(username: string, deviceCookie: string | null = null) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie });
  return { step, pending: await requirePendingLogin(step.pendingToken) };
}

async function assertionFor(pendingToken: string, authenticator: SoftAuthenticator, credential: SoftCredential, options = {}) {
  const pending = await requirePendingLogin(pendingToken);
  const { challenge } = await startKeyVerification(pending);
  return authenticator.assert(credential, challenge, options);
}

/** The 6-digit code in the newest device-activation email to an address. */
async function emailedCode(to: string): Promise<string> {
  const mail = await db().emailMessage.findFirstOrThrow({ where: { to, template: "device-activation-code" }, orderBy: { createdAt: "desc" } });
  return /\b(\d{6})\b/.exec(mail.text)![1]!;
}

const sessionsOf = (userId: string) => db().session.count({ where: { userId } });

describe("login with a second factor", () => {
  it("gives a user with a key only a pending login; the session exists only after the key answers, with a new id", async () => {
    const { user, authenticator, credential } = await userWithKey();
    const device = await activatedDeviceCookie(user.username);
    const { step } = await passwordStep(user.username, device);
    expect(step).toMatchObject({ next: "verify", needs: { secondFactor: true, deviceActivation: false } });
    expect(await sessionsOf(user.userId)).toBe(0);
    await expect(completePendingLogin(step.pendingToken, TEST_REQUEST)).rejects.toBeInstanceOf(LoginExpiredError);
    expect(await sessionsOf(user.userId)).toBe(0);

    const response = await assertionFor(step.pendingToken, authenticator, credential);
    const pending = await requirePendingLogin(step.pendingToken);
    expect(await verifyWithKey(pending, response, TEST_REQUEST)).toEqual({ deviceToken: null });
    const { sessionToken } = await completePendingLogin(step.pendingToken, TEST_REQUEST);
    expect(await resolveSession(sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
    expect(await sessionsOf(user.userId)).toBe(1);

    // Used once: neither the pending login nor the assertion works again.
    await expect(completePendingLogin(step.pendingToken, TEST_REQUEST)).rejects.toBeInstanceOf(LoginExpiredError);
    expect(await findPendingLogin(step.pendingToken)).toBeNull();
    expect(await sessionsOf(user.userId)).toBe(1);

    const history = await db().verificationEvent.findMany({ where: { userId: user.userId, activity: "Login" } });
    expect(history).toEqual([expect.objectContaining({ method: "Security key", result: "Succeeded", ip: TEST_REQUEST.ip })]);
    const logins = await db().loginAttempt.findMany({ where: { userId: user.userId }, orderBy: { createdAt: "asc" } });
    expect(logins.map((l) => l.result)).toEqual(["Verification required", "Success"]);
  });

  it("on a new browser, one key verification satisfies both the second factor and device activation", async () => {
    const { user, authenticator, credential } = await userWithKey();
    const { step, pending } = await passwordStep(user.username);
    expect(step.needs).toEqual({ secondFactor: true, deviceActivation: true });
    const response = await assertionFor(step.pendingToken, authenticator, credential);
    const { deviceToken } = await verifyWithKey(pending, response, TEST_REQUEST);
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await completePendingLogin(step.pendingToken, TEST_REQUEST);

    // The activated browser still needs the key (the org allows keys and the user has one), but no activation.
    const again = await passwordStep(user.username, deviceCookieValue(deviceToken!, null));
    expect(again.step.needs).toEqual({ secondFactor: true, deviceActivation: false });
    expect(await db().activatedDevice.count({ where: { userId: user.userId, revokedAt: null } })).toBe(1);
  });

  it("refuses, counts and records an assertion by another user's key, a replayed assertion, an expired challenge and a wrong origin", async () => {
    const { org, user, authenticator, credential } = await userWithKey();
    const other = await userWithKey("Other");
    const device = await activatedDeviceCookie(user.username);

    // Another user's credential, answering this pending login's own challenge.
    const first = await passwordStep(user.username, device);
    const { challenge } = await startKeyVerification(first.pending);
    const foreign = other.authenticator.assert(other.credential, challenge);
    expect(await rejectionOf(verifyWithKey(first.pending, foreign, TEST_REQUEST))).toMatchObject({ code: "unknown-credential" });
    // That answer used the challenge up (it is consumed in the statement that reads the key): the owner's own key
    // cannot answer it afterwards.
    const afterForeign = authenticator.assert(credential, challenge);
    expect(await rejectionOf(verifyWithKey(first.pending, afterForeign, TEST_REQUEST))).toMatchObject({ code: "challenge-invalid" });

    // A good assertion, then the same one again (its challenge is consumed).
    const good = await assertionFor(first.step.pendingToken, authenticator, credential);
    await verifyWithKey(await requirePendingLogin(first.step.pendingToken), good, TEST_REQUEST);
    await completePendingLogin(first.step.pendingToken, TEST_REQUEST);
    const second = await passwordStep(user.username, device);
    expect(await rejectionOf(verifyWithKey(second.pending, good, TEST_REQUEST))).toMatchObject({ code: "challenge-invalid" });

    // A challenge answered after it expired.
    const slow = await startKeyVerification(second.pending, new Date(Date.now() - 10 * 60_000));
    const late = authenticator.assert(credential, slow.challenge);
    expect(await rejectionOf(verifyWithKey(second.pending, late, TEST_REQUEST))).toMatchObject({ code: "challenge-invalid" });

    // A phishing page's origin.
    const phished = await assertionFor(second.step.pendingToken, authenticator, credential, { origin: "https://gatehouse.example.evil" });
    expect(await rejectionOf(verifyWithKey(second.pending, phished, TEST_REQUEST))).toMatchObject({ code: "verification-failed" });

    expect(await sessionsOf(user.userId)).toBe(1); // only the one good login
    expect((await db().pendingLogin.findUniqueOrThrow({ where: { id: second.pending.id } })).verifiedAt).toBeNull();
    const failures = await db().verificationEvent.findMany({ where: { userId: user.userId, result: "Failed" } });
    expect(failures).toHaveLength(5);
    expect(failures.every((f) => f.orgId === org.orgId && f.activity === "Login" && f.method === "Security key")).toBe(true);
    expect(await db().loginAttempt.count({ where: { userId: user.userId, result: "Verification failed", orgId: org.orgId } })).toBe(5);
    // Nothing of it shows up in the other org.
    expect(await db().verificationEvent.count({ where: { orgId: other.org.orgId, result: "Failed" } })).toBe(0);
  });

  it(`ends the pending login after ${MAX_FAILED_VERIFICATIONS} failed attempts`, async () => {
    const { user, authenticator, credential } = await userWithKey();
    const { step, pending } = await passwordStep(user.username, await activatedDeviceCookie(user.username));
    for (let i = 0; i < MAX_FAILED_VERIFICATIONS; i++) {
      const bad = await assertionFor(step.pendingToken, authenticator, credential, { tamperSignature: true });
      const error = await rejectionOf(verifyWithKey(pending, bad, TEST_REQUEST));
      if (i < MAX_FAILED_VERIFICATIONS - 1) expect(error).toBeInstanceOf(WebAuthnRefusal);
      else expect(error).toMatchObject({ message: "Too many attempts. Log in again." });
    }
    expect(await findPendingLogin(step.pendingToken)).toBeNull();
    await expect(startKeyVerification(pending)).resolves.toBeDefined(); // a stale handle…
    await expect(completePendingLogin(step.pendingToken, TEST_REQUEST)).rejects.toBeInstanceOf(LoginExpiredError); // …opens nothing
    expect(await sessionsOf(user.userId)).toBe(0);
  });

  it("limits failed code guesses per user across pending logins, in the database; the user's key still works", async () => {
    const { user, authenticator, credential } = await userWithKey();
    const device = await activatedDeviceCookie(user.username);
    let limited: unknown = null;
    for (let i = 0; i < 4 && !limited; i++) {
      const { pending } = await passwordStep(user.username, device);
      for (let j = 0; j < MAX_FAILED_VERIFICATIONS - 1 && !limited; j++) {
        const error = await rejectionOf(verifyWithOneTimeCode(pending, "recovery-code", "0000-0000-0000", TEST_REQUEST));
        if (error instanceof RateLimitedError) limited = error;
      }
    }
    expect(limited).toBeInstanceOf(RateLimitedError);
    // Someone who knows the password cannot lock the owner's key out: a signature cannot be guessed.
    const { step, pending } = await passwordStep(user.username, device);
    const good = await assertionFor(step.pendingToken, authenticator, credential);
    await verifyWithKey(pending, good, TEST_REQUEST);
    await completePendingLogin(step.pendingToken, TEST_REQUEST);
    expect(await sessionsOf(user.userId)).toBe(1);
  });

  it("refuses a pending login past its 10 minutes", async () => {
    const { user, authenticator, credential } = await userWithKey();
    const { step, pending } = await passwordStep(user.username, await activatedDeviceCookie(user.username));
    const response = await assertionFor(step.pendingToken, authenticator, credential);
    const later = new Date(Date.now() + PENDING_LOGIN_TTL_MS + 1000);
    expect(await findPendingLogin(step.pendingToken, later)).toBeNull();
    expect(await rejectionOf(verifyWithKey(pending, response, TEST_REQUEST, later))).toBeInstanceOf(UserFacingError);
    await expect(completePendingLogin(step.pendingToken, TEST_REQUEST, later)).rejects.toBeInstanceOf(LoginExpiredError);
    expect(await sessionsOf(user.userId)).toBe(0);
  });

  it("a sign counter that goes backwards fails, flags the key and emails the user and every admin", async () => {
    const { org, user, key, authenticator, credential } = await userWithKey();
    const device = await activatedDeviceCookie(user.username);
    // One good login moves the stored counter past zero.
    const first = await passwordStep(user.username, device);
    await verifyWithKey(first.pending, await assertionFor(first.step.pendingToken, authenticator, credential), TEST_REQUEST);
    const stored = (await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).signCount;
    expect(stored).toBeGreaterThan(0n);

    // A copy of the key that never saw that login answers with an older counter.
    const second = await passwordStep(user.username, device);
    const cloned = await assertionFor(second.step.pendingToken, authenticator, credential, { signCount: Number(stored) });
    expect(await rejectionOf(verifyWithKey(second.pending, cloned, TEST_REQUEST))).toMatchObject({ code: "counter-regression" });

    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).flaggedAt).toBeInstanceOf(Date);
    const mails = await db().emailMessage.findMany({ where: { orgId: org.orgId, template: { startsWith: "security-key-possibly-cloned" } } });
    expect(mails.map((m) => [m.template, m.to]).sort()).toEqual(
      [
        ["security-key-possibly-cloned", user.username],
        ["security-key-possibly-cloned-admin", org.adminUsername],
      ].sort(),
    );
    expect(mails.find((m) => m.to === org.adminUsername)!.subject).toBe(`Possible cloned security key: ${user.username}`);
    expect(await db().verificationEvent.count({ where: { userId: user.userId, result: "Failed", detail: { contains: "copied" } } })).toBe(1);

    // The flagged key is no longer offered, and a later genuine assertion by it is refused.
    const third = await passwordStep(user.username, device);
    expect(third.step.needs.secondFactor).toBe(true);
    await expect(startKeyVerification(third.pending)).rejects.toThrow("You have no security key you can use here");
    expect(await sessionsOf(user.userId)).toBe(0);
  });
});

describe("device activation by emailed code", () => {
  it("a user without a key on a new browser gets a code by email; the right code activates the browser", async () => {
    const org = await createOrg("Codes");
    const user = await createUser(org.admin);
    const { step, pending } = await passwordStep(user.username);
    expect(step).toMatchObject({ next: "verify", needs: { secondFactor: false, deviceActivation: true } });

    await sendEmailCode(pending, TEST_REQUEST);
    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "device-activation-code" } });
    expect(mail.subject).toMatch(/^Your Gatehouse verification code$/);
    const code = await emailedCode(user.username);
    const wrong = code === "000000" ? "000001" : "000000";

    const refused = await rejectionOf(verifyWithEmailCode(await requirePendingLogin(step.pendingToken), wrong, TEST_REQUEST));
    expect(refused).toMatchObject({ fieldErrors: { code: "That code isn't right." } });
    expect(await sessionsOf(user.userId)).toBe(0);

    const { deviceToken } = await verifyWithEmailCode(await requirePendingLogin(step.pendingToken), code, TEST_REQUEST);
    await completePendingLogin(step.pendingToken, TEST_REQUEST);
    expect(await sessionsOf(user.userId)).toBe(1);
    // The emailed code proved the user's mailbox: the session is not asked to "Confirm your email first" again (issue 30 item 10).
    expect(await db().session.findFirstOrThrow({ where: { userId: user.userId } })).toMatchObject({ mailboxProvedAt: expect.any(Date) });
    expect(await db().verificationEvent.findMany({ where: { userId: user.userId }, orderBy: { createdAt: "asc" } })).toEqual([
      expect.objectContaining({ method: "Emailed code", activity: "Device activation", result: "Failed" }),
      expect.objectContaining({ method: "Emailed code", activity: "Device activation", result: "Succeeded" }),
    ]);

    // The next login from that browser asks for nothing more; another user's token counts as none.
    const cookie = deviceCookieValue(deviceToken!, null);
    expect((await passwordStep(user.username, cookie)).step.next).toBe("complete");
    const colleague = await createUser(org.admin);
    expect((await passwordStep(colleague.username, cookie)).step.needs.deviceActivation).toBe(true);
  });

  it("refuses a code after 10 minutes, and after 5 wrong guesses; and sends at most 3 per 15 minutes", async () => {
    const org = await createOrg("Limits");
    const user = await createUser(org.admin);
    const first = await passwordStep(user.username);
    const sentAt = new Date();
    await sendEmailCode(first.pending, TEST_REQUEST, sentAt);
    const code = await emailedCode(user.username);
    const late = new Date(sentAt.getTime() + 10 * 60_000 + 1000);
    expect(await rejectionOf(verifyWithEmailCode(await requirePendingLogin(first.step.pendingToken), code, TEST_REQUEST, late))).toMatchObject({
      message: "That code has expired. Send a new one.",
    });

    const second = await passwordStep(user.username);
    await sendEmailCode(second.pending, TEST_REQUEST);
    const good = await emailedCode(user.username);
    const wrong = good === "111111" ? "222222" : "111111";
    for (let i = 0; i < 4; i++) await rejectionOf(verifyWithEmailCode(await requirePendingLogin(second.step.pendingToken), wrong, TEST_REQUEST));
    // The fifth failure ends the pending login altogether.
    expect(await rejectionOf(verifyWithEmailCode(await requirePendingLogin(second.step.pendingToken), wrong, TEST_REQUEST))).toMatchObject({
      message: "Too many attempts. Log in again.",
    });
    expect(await findPendingLogin(second.step.pendingToken)).toBeNull();

    const third = await passwordStep(user.username);
    await sendEmailCode(third.pending, TEST_REQUEST);
    const error = await rejectionOf(sendEmailCode(third.pending, TEST_REQUEST));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toMatch(/^Too many attempts\. Try again in \d+ minutes?\.$/);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "device-activation-code" } })).toBe(EMAIL_CODE_SEND_LIMIT.limit);
    expect(await sessionsOf(user.userId)).toBe(0);
  });

  it("never lets an emailed code stand in for a user's second factor", async () => {
    const { user } = await userWithKey();
    const { pending } = await passwordStep(user.username);
    expect(await rejectionOf(sendEmailCode(pending, TEST_REQUEST))).toBeInstanceOf(UserFacingError);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "device-activation-code" } })).toBe(0);
  });

  it("asks for nothing more when the org turned device activation off", async () => {
    const org = await createOrg("NoDevices");
    await setOrgSettings(org.orgId, { allowSecurityKeys: false });
    await db().orgSettings.update({ where: { orgId: org.orgId }, data: { requireDeviceActivation: false } });
    const user = await createUser(org.admin);
    const { step } = await passwordStep(user.username);
    expect(step).toMatchObject({ next: "complete", needs: { secondFactor: false, deviceActivation: false } });
    const { sessionToken } = await completePendingLogin(step.pendingToken, TEST_REQUEST);
    expect(await resolveSession(sessionToken, TEST_REQUEST)).toMatchObject({ userId: user.userId });
  });
});
