import "server-only";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { generateAuthenticationOptions } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { db } from "../db/client";
import { RateLimitedError, UserFacingError } from "../errors";
import { recordEvent } from "../events/record";
import type { SecurityEventOf, TargetCredential, VerificationMethodCode } from "../events/types";
import { CEREMONY_TIMEOUT_MS, consumeChallenge, issueChallenge } from "../webauthn/challenges";
import { verifyOwnKeyAssertion } from "../webauthn/assertion";
import { relyingParty } from "../webauthn/relying-party";
import { storedKeyRefusal } from "../webauthn/key-policy";
import { keySettingsOf } from "../webauthn/settings";
import { attestationTrust } from "../webauthn/trust/store";
import { verifyAuthenticatorCode } from "../verification/authenticator-app";
import { userMethods } from "../verification/methods";
import { markFresh } from "./freshness";
import { withPasswordCheck } from "./login/admission";
import type { OrgContext } from "./org-context";
import { verifyPassword } from "./passwords/password";
import { hitRateLimit, releaseRateLimit, secondsOverLimit, type RateLimitRule } from "./rate-limit";

// Re-authentication ("For security purposes, verify it's you"): before a
// verification method is added or removed, the user proves it is them again —
// password, plus a registered key (or, without one, a code from their
// authenticator app). Success marks the session fresh (lib/auth/freshness.ts).

const REAUTH_LIMIT: RateLimitRule = { limit: 5, windowSeconds: 15 * 60 };
/**
 * Second-step guesses (a code from the app) per user. The password step gives
 * its slot back on success, so without a limit of its own the second step
 * could be retried without end by looping password → code.
 */
export const REAUTH_CODE_LIMIT: RateLimitRule = { limit: 5, windowSeconds: 15 * 60 };
const codeKey = (userId: string) => `reauth-code:user:${userId}`;

export type ReauthStep =
  | { next: "done" }
  | { next: "security-key"; options: PublicKeyCredentialRequestOptionsJSON }
  /** `token` proves the password step just succeeded; it is single use and expires with a ceremony. */
  | { next: "authenticator-app"; token: string };

/** Step 1: the password. With registered keys (and keys allowed), step 2 asks for one of them. */
export async function reauthenticateWithPassword(ctx: OrgContext, password: string, now = new Date()): Promise<ReauthStep> {
  const settings = keySettingsOf(ctx.policy);
  // Admitted like a login's password check (same shares: a flood of these cannot starve logins), before anything is counted.
  await withPasswordCheck({ ip: ctx.request.ip, account: ctx.username, orgId: ctx.orgId }, () => checkReauthPassword(ctx, password, now));
  // Keys the org's current policy refuses (a model blocked since) are not offered: they could only fail.
  const trust = attestationTrust();
  const keys = settings.keysAllowed
    ? (
        await db().securityKey.findMany({
          where: { userId: ctx.userId, orgId: ctx.orgId, flaggedAt: null, suspendedAt: null },
          select: { credentialId: true, transports: true, aaguid: true, modelProven: true, backupEligible: true },
        })
      ).filter((key) => storedKeyRefusal(settings.policy, { ...key, name: null }, trust) === null)
    : [];
  if (keys.length === 0 && (await userMethods(ctx)).usableApp) {
    return { next: "authenticator-app", token: await issueChallenge(ctx, "reauth-app", now) };
  }
  if (keys.length === 0) {
    await markFresh(ctx, now);
    await recordReauthentication(ctx, "password", "Succeeded");
    return { next: "done" };
  }
  const challenge = await issueChallenge(ctx, "reauth", now);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: settings.policy.userVerification,
    allowCredentials: keys.map((k) => ({ id: k.credentialId, transports: k.transports as never })),
  });
  return { next: "security-key", options };
}

async function checkReauthPassword(ctx: OrgContext, password: string, now: Date): Promise<void> {
  // The slot is taken before the check, atomically, so parallel guesses all count.
  const key = `reauth:user:${ctx.userId}`;
  const wait = secondsOverLimit(await hitRateLimit(key, REAUTH_LIMIT, now), REAUTH_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);
  const user = await db().user.findFirst({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { passwordHash: true } });
  if (!(await verifyPassword(password, user?.passwordHash))) {
    await recordReauthentication(ctx, "password", "Failed", "Wrong password");
    throw new UserFacingError("That password isn't right. Try again.", { password: "That password isn't right." });
  }
  await releaseRateLimit(key);
}

/** Step 2: an assertion by one of the user's own keys, answering the challenge step 1 issued. */
export async function reauthenticateWithKey(ctx: OrgContext, response: AuthenticationResponseJSON, now = new Date()): Promise<void> {
  const { request } = ctx;
  const record = (result: "Succeeded" | "Failed", detail?: string, credential?: TargetCredential) =>
    recordReauthentication(ctx, "password-and-security-key", result, detail, credential);
  try {
    const { keyId, keyName } = await verifyOwnKeyAssertion(ctx, response, "reauth", request, now);
    await markFresh(ctx, now);
    await record("Succeeded", undefined, { id: keyId, name: keyName });
  } catch (error) {
    await record("Failed", error instanceof Error ? error.message : "Verification failed");
    throw error;
  }
}

/** Step 2 for a user whose second factor is an authenticator app: a code from it, after step 1's token. */
export async function reauthenticateWithAuthenticator(ctx: OrgContext, token: string, code: string, now = new Date()): Promise<void> {
  const record = (result: "Succeeded" | "Failed", detail?: string) => recordReauthentication(ctx, "authenticator-app", result, detail);
  await consumeChallenge(ctx, "reauth-app", token, now);
  const wait = secondsOverLimit(await hitRateLimit(codeKey(ctx.userId), REAUTH_CODE_LIMIT, now), REAUTH_CODE_LIMIT, now);
  if (wait > 0) {
    await record("Failed", "Too many attempts");
    throw new RateLimitedError(wait);
  }
  if (!(await verifyAuthenticatorCode(ctx, code, now))) {
    await record("Failed", "Wrong or reused code");
    throw new UserFacingError("That code isn't right. Enter your password again, then the newest code from your app.", { code: "That code isn't right." });
  }
  await releaseRateLimit(codeKey(ctx.userId));
  await markFresh(ctx, now);
  await record("Succeeded");
}

/** A re-authentication's event: the user verified themself (with the key they used, by its current name), or failed to. */
async function recordReauthentication(
  ctx: OrgContext,
  method: VerificationMethodCode,
  result: "Succeeded" | "Failed",
  detail?: string,
  credential?: TargetCredential,
): Promise<void> {
  const event: SecurityEventOf<"user.verification.succeeded" | "user.verification.failed"> = {
    type: result === "Succeeded" ? "user.verification.succeeded" : "user.verification.failed",
    user: { id: ctx.userId, name: ctx.userName },
    ...(credential ? { credential } : {}),
    data: { method, purpose: "re-authentication", ...(detail ? { detail } : {}) },
  };
  await recordEvent(ctx, event);
}
