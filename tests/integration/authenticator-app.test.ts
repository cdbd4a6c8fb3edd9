import { describe, expect, it } from "vitest";
import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { FreshAuthRequiredError, hasFreshAuth } from "@/lib/auth/freshness";
import { REAUTH_CODE_LIMIT, reauthenticateWithAuthenticator, reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verificationChoices } from "@/lib/auth/login/verification-choices";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { NotFoundError, RateLimitedError } from "@/lib/errors";
import {
  confirmAuthenticatorEnrolment,
  disconnectOwnAuthenticator,
  disconnectUserAuthenticator,
  startAuthenticatorEnrolment,
  verifyAuthenticatorCode,
} from "@/lib/verification/authenticator-app";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_REQUEST, TEST_PASSWORD, createOrg, createUser, signIn } from "../support/factories";
import { reauthenticate, setOrgSettings } from "../support/security-keys";

useTestDatabase();

const STEP_MS = 30_000;

async function userWithApp(orgName = "Totp") {
  const org = await createOrg(orgName);
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
  const secret = base32Decode(enrolment.secret);
  const t0 = new Date();
  await confirmAuthenticatorEnrolment(await proveMailbox(ctx), totpAt(secret, stepAt(t0)), t0);
  return { org, user, ctx, secret, enrolment, t0 };
}

describe("authenticator app (TOTP)", () => {
  it("enrols after re-authentication with a QR code and text secret, stores the secret sealed, and emails the user", async () => {
    const { org, user, secret, enrolment } = await userWithApp();
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\/Gatehouse%3A.+\?secret=[A-Z2-7]+&issuer=Gatehouse/);
    expect(enrolment.qrSvg).toMatch(/^<svg/);
    const row = await db().authenticatorApp.findUniqueOrThrow({ where: { userId: user.userId } });
    expect(row.confirmedAt).toBeInstanceOf(Date);
    expect(row.secretSealed).not.toContain(enrolment.secret.replace(/ /g, ""));
    expect(row.secretSealed).not.toContain(secret.toString("base64url"));
    expect(await db().emailMessage.count({ where: { orgId: org.orgId, to: user.username, template: "authenticator-app-connected" } })).toBe(1);
  });

  it("needs re-authentication and a right first code; a wrong one leaves it unconnected", async () => {
    const org = await createOrg("Enrol");
    const user = await createUser(org.admin);
    const { ctx } = await signIn(user.userId);
    expect(await rejectionOf(registering(ctx).then((c) => startAuthenticatorEnrolment(c)))).toBeInstanceOf(FreshAuthRequiredError);
    await reauthenticate(ctx);
    const { secret } = await startAuthenticatorEnrolment(await registering(ctx));
    const right = totpAt(base32Decode(secret), stepAt(new Date()));
    const wrong = right === "000000" ? "000001" : "000000";
    expect(await rejectionOf(proveMailbox(ctx).then((c) => confirmAuthenticatorEnrolment(c, wrong)))).toMatchObject({
      fieldErrors: { code: "That code isn't right." },
    });
    expect((await db().authenticatorApp.findUniqueOrThrow({ where: { userId: user.userId } })).confirmedAt).toBeNull();
    expect(await db().emailMessage.count({ where: { to: user.username, template: "authenticator-app-connected" } })).toBe(0);
  });

  it("is a second factor at login: a code is accepted once, never its step again (nor an older one)", async () => {
    const { user, secret } = await userWithApp();
    const step = await authenticateWithPassword(user.username, TEST_PASSWORD, TEST_REQUEST);
    expect(step.needs.secondFactor).toBe(true);
    const pending = await requirePendingLogin(step.pendingToken);
    expect((await verificationChoices(pending)).methods).toContain("authenticator-app");

    const later = new Date(Date.now() + 2 * STEP_MS);
    const code = totpAt(secret, stepAt(later));
    await verifyWithOneTimeCode(pending, "authenticator-app", code, TEST_REQUEST, later);
    await completePendingLogin(step.pendingToken, TEST_REQUEST, later);

    const owner = pending;
    expect(await verifyAuthenticatorCode(owner, code, later)).toBe(false);
    expect(await verifyAuthenticatorCode(owner, totpAt(secret, stepAt(later) - 1), later)).toBe(false);
    // Two concurrent uses of the next code: exactly one wins.
    const next = new Date(later.getTime() + STEP_MS);
    const results = await Promise.all(Array.from({ length: 4 }, () => verifyAuthenticatorCode(owner, totpAt(secret, stepAt(next)), next)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("stops counting when the org turns authenticator apps off", async () => {
    const { org, user, secret } = await userWithApp();
    await setOrgSettings(org.orgId, { allowSecurityKeys: false });
    await db().orgSettings.update({ where: { orgId: org.orgId }, data: { allowTotp: false } });
    const step = await authenticateWithPassword(user.username, TEST_PASSWORD, TEST_REQUEST);
    expect(step.needs.secondFactor).toBe(false);
    const later = new Date(Date.now() + 2 * STEP_MS);
    expect(await verifyAuthenticatorCode(await requirePendingLogin(step.pendingToken), totpAt(secret, stepAt(later)), later)).toBe(false);
  });

  it("is the second step of re-authentication for a user without a key; its token works once", async () => {
    const { org, user, secret } = await userWithApp("Reauth");
    const { ctx } = await signIn(user.userId);
    const step = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
    if (step.next !== "authenticator-app") throw new Error(`expected the app step, got ${step.next}`);
    expect(await hasFreshAuth(ctx)).toBe(false);

    const later = new Date(Date.now() + 2 * STEP_MS);
    expect(
      await rejectionOf(reauthenticateWithAuthenticator(ctx, step.token, "000000" === totpAt(secret, stepAt(later)) ? "111111" : "000000", later)),
    ).toMatchObject({
      fieldErrors: { code: "That code isn't right." },
    });
    // The token was used up by the wrong attempt: the right code now needs the password again.
    expect(await rejectionOf(reauthenticateWithAuthenticator(ctx, step.token, totpAt(secret, stepAt(later)), later))).toMatchObject({
      code: "challenge-invalid",
    });
    const again = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
    if (again.next !== "authenticator-app") throw new Error("expected the app step");
    await reauthenticateWithAuthenticator(ctx, again.token, totpAt(secret, stepAt(later)), later);
    expect(await hasFreshAuth(ctx, later)).toBe(true);
    expect(
      await db().verificationEvent.count({ where: { orgId: org.orgId, userId: user.userId, method: "Authenticator app", activity: "Re-authentication" } }),
    ).toBe(2);
  });

  it("limits code guesses in re-authentication: looping password → code stops after 5 wrong codes, the right one included", async () => {
    const { user, secret } = await userWithApp("Loop");
    const { ctx } = await signIn(user.userId);
    const later = new Date(Date.now() + 2 * STEP_MS);
    const right = totpAt(secret, stepAt(later));
    const wrong = right === "000000" ? "111111" : "000000";
    for (let i = 0; i < REAUTH_CODE_LIMIT.limit; i++) {
      const step = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
      if (step.next !== "authenticator-app") throw new Error("expected the app step");
      expect(await rejectionOf(reauthenticateWithAuthenticator(ctx, step.token, wrong, later))).toMatchObject({
        fieldErrors: { code: "That code isn't right." },
      });
    }
    const step = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
    if (step.next !== "authenticator-app") throw new Error("expected the app step");
    expect(await rejectionOf(reauthenticateWithAuthenticator(ctx, step.token, right, later))).toBeInstanceOf(RateLimitedError);
    expect(await hasFreshAuth(ctx, later)).toBe(false);
  });

  it("disconnects: by the user after re-authentication, by an admin of the org (audited), never by another org", async () => {
    const { org, user, ctx } = await userWithApp("Acme");
    const globex = await createOrg("Globex");
    expect(await rejectionOf(stepUp(globex.admin).then((c) => disconnectUserAuthenticator(c, user.userId)))).toBeInstanceOf(NotFoundError);
    const later = new Date(Date.now() + 11 * 60_000);
    expect(await rejectionOf(stepUp(ctx, later).then((c) => disconnectOwnAuthenticator(c, later)))).toBeInstanceOf(FreshAuthRequiredError);
    await disconnectUserAuthenticator(await stepUp(org.admin), user.userId);
    expect(await db().authenticatorApp.count({ where: { userId: user.userId } })).toBe(0);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Disconnected authenticator app" } })).toBe(1);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "authenticator-app-disconnected" } })).toBe(1);
  });
});
