import { describe, expect, it } from "vitest";
import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verificationChoices } from "@/lib/auth/login/verification-choices";
import { sendEmailCode, verifyWithEmailCode } from "@/lib/auth/login/verify-email-code";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { SECOND_FACTOR_ALERT_AFTER, SECOND_FACTOR_LOCK_AT } from "@/lib/auth/login/second-factor-failures";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { RateLimitedError } from "@/lib/errors";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

// Issue 24 item 8: whoever has the password got 10 second-factor guesses every
// 15 minutes, forever, and the user never heard of it. A cumulative count that
// only a success resets locks the step for new browsers at 100; a known
// browser keeps working; an admin's temporary code recovers; the user is told.

useTestDatabase();

const MINUTE = 60_000;

/** A user with an authenticator app and recovery codes, in an org that allows keys and requires device activation. */
async function userWithApp(orgName = "Lockout") {
  const org = await createOrg(orgName);
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
  const secret = base32Decode(enrolment.secret);
  const t0 = new Date(Date.now() - 60_000);
  await confirmAuthenticatorEnrolment(await proveMailbox(ctx), totpAt(secret, stepAt(t0)), t0);
  const codes = await generateRecoveryCodes(await stepUp(ctx));
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { org, user, secret, codes };
}

async function passwordStep(username: string, at: Date, deviceCookie: string | null = null) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie }, at);
  return { step, pending: await requirePendingLogin(step.pendingToken, at) };
}

const mailsOf = (to: string, template: string) => db().emailMessage.findMany({ where: { to, template }, orderBy: { createdAt: "asc" } });

/**
 * The attacker: `count` wrong app codes from browsers Gatehouse has not seen,
 * starting at `start`, paced under the 10-per-15-minutes limit (each refusal
 * must be a wrong code, never "too many attempts"). Returns when it stopped.
 */
async function guessFromNewBrowsers(username: string, secret: Buffer, count: number, start: Date): Promise<Date> {
  let at = start.getTime();
  let pending = null;
  for (let i = 0; i < count; i++) {
    if (i > 0 && i % 10 === 0) at += 16 * MINUTE;
    if (i % 2 === 0) pending = (await passwordStep(username, new Date(at))).pending;
    const right = totpAt(secret, stepAt(new Date(at)));
    const wrong = right === "000000" ? "111111" : "000000";
    const error = await rejectionOf(verifyWithOneTimeCode(pending!, "authenticator-app", wrong, TEST_REQUEST, new Date(at)));
    expect(error).not.toBeInstanceOf(RateLimitedError);
    expect(error.message).toMatch(/isn't right/);
  }
  return new Date(at);
}

describe("second-factor guesses from new browsers", () => {
  it(`lock the step for new browsers at ${SECOND_FACTOR_LOCK_AT} failures (right code included); the user is told; an admin's temporary code recovers`, async () => {
    const { org, user, secret } = await userWithApp();
    const last = await guessFromNewBrowsers(user.username, secret, SECOND_FACTOR_LOCK_AT, new Date());
    const at = new Date(last.getTime() + 16 * MINUTE);

    // The next new browser is refused even the right code, and /verify offers only what still works.
    const attacker = await passwordStep(user.username, at);
    const choices = await verificationChoices(attacker.pending);
    expect(choices.secondFactorLocked).toBe(true);
    expect(choices.methods).toEqual([]);
    const refused = await rejectionOf(verifyWithOneTimeCode(attacker.pending, "authenticator-app", totpAt(secret, stepAt(at)), TEST_REQUEST, at));
    expect(refused).toMatchObject({ status: 423, message: expect.stringContaining("temporary verification code") });
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);

    // Told after 10 failures in the day, and when the step locked.
    const alerts = await mailsOf(user.username, "second-factor-failures");
    expect(alerts).toHaveLength(2);
    expect(alerts[1]!.text).toContain("locked");
    expect(alerts[0]!.text).toContain(TEST_REQUEST.ip);

    // The admin checks it is them and issues a temporary code: it verifies from a new browser, and the count starts again.
    await reauthenticate(org.admin);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 24);
    const owner = await passwordStep(user.username, at);
    expect((await verificationChoices(owner.pending)).methods).toEqual(["temporary-code"]);
    await verifyWithOneTimeCode(owner.pending, "temporary-code", code, TEST_REQUEST, at);
    await completePendingLogin(owner.step.pendingToken, TEST_REQUEST, at);
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).secondFactorFailures).toBe(0);
    const later = new Date(at.getTime() + 16 * MINUTE);
    const next = await passwordStep(user.username, later);
    await verifyWithOneTimeCode(next.pending, "authenticator-app", totpAt(secret, stepAt(later)), TEST_REQUEST, later);
  });

  it("never lock out the owner's known browser, and the owner's success resets the count", async () => {
    const { user, codes } = await userWithApp();
    const device = await activatedDeviceCookie(user.username);
    // Test setup: the count an attacker's 100 failures leave (counted for real in the test above).
    await db().user.update({ where: { id: user.userId }, data: { secondFactorFailures: SECOND_FACTOR_LOCK_AT } });
    const now = new Date();
    const known = await passwordStep(user.username, now, device);
    expect((await verificationChoices(known.pending)).methods).toEqual(["authenticator-app", "recovery-code"]);
    await verifyWithOneTimeCode(known.pending, "recovery-code", codes[0]!, TEST_REQUEST, now);
    await completePendingLogin(known.step.pendingToken, TEST_REQUEST, now);
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).secondFactorFailures).toBe(0);
  });

  it(`email the user after ${SECOND_FACTOR_ALERT_AFTER} failures in a day, once that day`, async () => {
    const { user, secret } = await userWithApp();
    const start = new Date();
    const end = await guessFromNewBrowsers(user.username, secret, SECOND_FACTOR_ALERT_AFTER - 1, start);
    expect(await mailsOf(user.username, "second-factor-failures")).toHaveLength(0);
    const sameDay = await guessFromNewBrowsers(user.username, secret, 15, new Date(end.getTime() + 16 * MINUTE));
    const alerts = await mailsOf(user.username, "second-factor-failures");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.subject).toMatch(/failed/i);
    await guessFromNewBrowsers(user.username, secret, SECOND_FACTOR_ALERT_AFTER, new Date(sameDay.getTime() + 24 * 60 * MINUTE));
    expect(await mailsOf(user.username, "second-factor-failures")).toHaveLength(2);
  });
});

describe("a new browser activated", () => {
  it("emails the user whatever the method (app, recovery code, temporary code, key); a known browser's login does not", async () => {
    const { org, user, secret, codes } = await userWithApp("Devices");
    const now = new Date();
    const byApp = await passwordStep(user.username, now);
    await verifyWithOneTimeCode(byApp.pending, "authenticator-app", totpAt(secret, stepAt(now)), TEST_REQUEST, now);
    const byCode = await passwordStep(user.username, now);
    await verifyWithOneTimeCode(byCode.pending, "recovery-code", codes[0]!, TEST_REQUEST, now);
    await reauthenticate(org.admin);
    const { code } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 1);
    const byTemporary = await passwordStep(user.username, now);
    await verifyWithOneTimeCode(byTemporary.pending, "temporary-code", code, TEST_REQUEST, now);
    const activated = await mailsOf(user.username, "new-device-activated");
    expect(activated).toHaveLength(3);
    expect(activated[0]!.text).toContain(TEST_REQUEST.ip);

    // A browser activated before: a second factor, but no new device.
    const later = new Date(now.getTime() + 2 * MINUTE);
    const known = await passwordStep(user.username, later, await activatedDeviceCookie(user.username));
    expect(known.step.needs).toEqual({ secondFactor: true, deviceActivation: false });
    await verifyWithOneTimeCode(known.pending, "authenticator-app", totpAt(secret, stepAt(later)), TEST_REQUEST, later);
    expect(await mailsOf(user.username, "new-device-activated")).toHaveLength(3);

    // A key, for another user.
    const keyUser = await createUser(org.admin);
    const { ctx } = await signIn(keyUser.userId);
    await reauthenticate(ctx);
    const { response, authenticator, credential } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
    await finishKeyRegistration(await registering(ctx), response);
    const byKey = await passwordStep(keyUser.username, new Date());
    const { challenge } = await startKeyVerification(byKey.pending);
    await verifyWithKey(byKey.pending, authenticator.assert(credential, challenge), TEST_REQUEST);
    expect(await mailsOf(keyUser.username, "new-device-activated")).toHaveLength(1);
  });

  it("by an emailed code: the code's own email already told the user about this browser, and no second email follows", async () => {
    const org = await createOrg("Emailed");
    const user = await createUser(org.admin);
    const { step, pending } = await passwordStep(user.username, new Date());
    await sendEmailCode(pending, TEST_REQUEST);
    const [mail] = await mailsOf(user.username, "device-activation-code");
    expect(mail!.text).toContain("a browser it hasn't seen before");
    const code = /\b(\d{6})\b/.exec(mail!.text)![1]!;
    await verifyWithEmailCode(await requirePendingLogin(step.pendingToken), code, TEST_REQUEST);
    expect(await mailsOf(user.username, "new-device-activated")).toHaveLength(0);
  });
});
