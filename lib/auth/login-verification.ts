import "server-only";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { generateAuthenticationOptions } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { db } from "../db/client";
import { col, execute, query, rowMapper, ts } from "../db/sql";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { maskEmail } from "../format";
import { RateLimitedError, UserFacingError } from "../errors";
import { describeBrowser, type RequestInfo } from "../http/request-info";
import type { VerificationMethod } from "../verification/history";
import { eventRow, recordEvent, SELF, withEvents } from "../events/record";
import { methodCodeOf } from "../events/projections";
import { eventCtes } from "../events/sql";
import type { SecurityEventOf } from "../events/types";
import { userMethods } from "../verification/methods";
import { verifyAuthenticatorCode } from "../verification/authenticator-app";
import { emailedCodeHash, emailedCodeMatches, newEmailedCode } from "../verification/codes";
import { consumeRecoveryCode, countRecoveryCodesLeft } from "../verification/recovery-codes";
import { consumeTemporaryCode, hasTemporaryCode } from "../verification/temporary-codes";
import { counterMovesForward, counterRegression, flagPossibleClone, verifyOwnKeyAssertion, writeKeyUse } from "../webauthn/assertion";
import { CEREMONY_TIMEOUT_MS, consumeChallenge, issueChallenge } from "../webauthn/challenges";
import { WebAuthnRefusal } from "../webauthn/refusal";
import { relyingParty } from "../webauthn/relying-party";
import { keySettingsOf } from "../webauthn/settings";
import { challengeOf } from "../webauthn/verify";
import { countOtherActiveAdmins, endAdminRecovery, recoveryRouteOf, type RecoveryRoute } from "../users/recovery-route";
import { activateDevice } from "./devices";
import type { PendingLoginSubject } from "./org-context";
import { livePendingLoginSql, LoginExpiredError, noteFailedVerification } from "./pending-login";
import { hitRateLimit, releaseRateLimit, releaseRateLimitSql, secondsOverLimit, type RateLimitRule } from "./rate-limit";
import { countSecondFactorFailure, isLockedFor, notifyNewDevice, refuseWhenLocked, resetSecondFactorFailures } from "./second-factor-failures";

// /verify: how a pending login is verified. Each method checks its proof,
// then `succeed` marks the pending login verified (once), activates the
// browser when device activation was needed, and writes the history. Every
// failure is counted against the pending login and the user, and recorded.

export type LoginMethod = "security-key" | "authenticator-app" | "recovery-code" | "temporary-code" | "email-code";

/** Failed verifications per user across all their pending logins, in the database. */
export const VERIFY_LIMIT: RateLimitRule = { limit: 10, windowSeconds: 15 * 60 };
/** Emailed device-activation codes per user. */
export const EMAIL_CODE_SEND_LIMIT: RateLimitRule = { limit: 3, windowSeconds: 15 * 60 };
export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

const verifyKey = (userId: string) => `verify:user:${userId}`;
const emailSendKey = (userId: string) => `verify:email-code:user:${userId}`;

export interface VerificationChoices {
  userName: string;
  orgName: string;
  needs: { secondFactor: boolean; deviceActivation: boolean };
  /** In the order /verify offers them. */
  methods: LoginMethod[];
  /** Where an emailed code goes, partly hidden ("a•••@acme.test"). */
  emailHint: string | null;
  emailCodeSent: boolean;
  expiresAt: Date;
  /** Keys not offered because they were flagged as possible clones (the user is told why). */
  flaggedKeyNames: string[];
  /** "Admin recovery required": who recovers the account (the org's only active admin needs the operator), else null. */
  adminRecovery: RecoveryRoute | null;
  /** Too many failed codes: this browser is offered only a key and an admin's temporary code. */
  secondFactorLocked: boolean;
}

/** What /verify shows for a pending login. */
export async function verificationChoices(pending: PendingLoginSubject): Promise<VerificationChoices> {
  const user = await db().user.findFirstOrThrow({ where: { id: pending.userId, orgId: pending.orgId }, include: { org: true } });
  const methods: LoginMethod[] = [];
  const available = await userMethods(pending);
  const locked = isLockedFor(pending, user.secondFactorFailures);
  if (available.usableKeys.length > 0) methods.push("security-key");
  if (available.usableApp && !locked) methods.push("authenticator-app");
  if (!available.adminRecoveryRequired && !locked && (await countRecoveryCodesLeft(pending)) > 0) methods.push("recovery-code");
  if (await hasTemporaryCode(pending)) methods.push("temporary-code");
  // The emailed code proves only the mailbox: it activates a browser, never stands in for a second factor.
  if (pending.needsDeviceActivation && !pending.needsSecondFactor && !locked) methods.push("email-code");
  return {
    userName: user.name,
    orgName: user.org.name,
    needs: { secondFactor: pending.needsSecondFactor, deviceActivation: pending.needsDeviceActivation },
    methods,
    emailHint: methods.includes("email-code") ? maskEmail(user.email) : null,
    emailCodeSent: Boolean(pending.emailCodeExpiresAt && pending.emailCodeExpiresAt > new Date()),
    expiresAt: pending.expiresAt,
    flaggedKeyNames: pending.policy.allowSecurityKeys
      ? (
          await db().securityKey.findMany({
            where: { userId: pending.userId, orgId: pending.orgId, flaggedAt: { not: null } },
            select: { name: true },
            orderBy: { createdAt: "asc" },
          })
        ).map((k) => k.name)
      : [],
    adminRecovery: available.adminRecoveryRequired ? recoveryRouteOf(await countOtherActiveAdmins(pending)) : null,
    secondFactorLocked: locked,
  };
}

/** A /verify step's event: the user verified this login (with the key they used, by its current name), or failed to. */
function verificationEvent(
  pending: PendingLoginSubject,
  method: VerificationMethod,
  outcome: { failed: string } | { keyUse?: { keyId: string; keyName: string } },
  now: Date,
): SecurityEventOf<"user.verification.succeeded" | "user.verification.failed"> {
  const purpose = pending.needsSecondFactor ? "login" : "device-activation";
  const user = { id: pending.userId };
  if ("failed" in outcome) return { type: "user.verification.failed", user, data: { method: methodCodeOf(method), purpose, detail: outcome.failed }, at: now };
  const { keyUse } = outcome;
  return {
    type: "user.verification.succeeded",
    user,
    ...(keyUse ? { credential: { id: keyUse.keyId, name: keyUse.keyName } } : {}),
    data: { method: methodCodeOf(method), purpose, deviceActivated: pending.needsSecondFactor && pending.needsDeviceActivation },
    at: now,
  };
}

/** Takes a slot of the user's verification budget before a proof is checked. */
async function takeVerifySlot(pending: PendingLoginSubject, now: Date): Promise<void> {
  const wait = secondsOverLimit(await hitRateLimit(verifyKey(pending.userId), VERIFY_LIMIT, now), VERIFY_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);
}

/** Records a failed attempt everywhere it counts, then rethrows it (with the attempts left when that helps). */
async function fail(pending: PendingLoginSubject, method: VerificationMethod, error: unknown, request: RequestInfo, now: Date): Promise<never> {
  const reason = error instanceof Error ? error.message : "Verification failed";
  const left = await noteFailedVerification(pending);
  // A code that failed counts towards the lock; a key's failure is no guess (see verifyWithKey).
  if (method !== "Security key") await countSecondFactorFailure(pending, request, now);
  // One event, shown in Identity Verification History and as a failed login in Login History.
  await recordEvent({ orgId: pending.orgId, actor: SELF, request }, verificationEvent(pending, method, { failed: reason }, now));
  if (left === 0) throw new LoginExpiredError("Too many attempts. Log in again.");
  throw error;
}

/**
 * Marks the pending login verified (once) and, when device activation was
 * needed, activates this browser: returns the new device token for its cookie.
 * A key's new counter (`keyUse`) is stored with it, by compare-and-set, and
 * only when the pending login is verified: a counter that did not move
 * forward (a copy of the key got there first) flags the key and verifies
 * nothing (`counter-regression`).
 */
async function succeed(
  pending: PendingLoginSubject,
  method: VerificationMethod,
  request: RequestInfo,
  now: Date,
  keyUse?: { keyId: string; keyName: string; newCounter: number },
): Promise<{ deviceToken: string | null }> {
  const event = verificationEvent(pending, method, { keyUse }, now);
  // Gives back the slot takeVerifySlot took; a key takes none (see verifyWithKey), so it gives none back.
  const slot = method === "Security key" ? null : verifyKey(pending.userId);
  if (!pending.needsDeviceActivation) {
    // The common case (a second factor at login) in one statement on the driver (lib/db/sql.ts): the key's
    // counter, the pending login verified exactly once, its event (lib/events/sql.ts) and the slot given back. The live
    // pending login is locked first (l); the counter moves only for it (k), by compare-and-set; and the
    // pending login is verified only once the counter has moved (p). So a cloned key that loses the race
    // for the counter never leaves a verified pending login behind, not even for an instant, and the
    // counter never moves for a pending login that no longer matches. The event's org counter is taken last,
    // after the user's row (u): the order a change's transaction takes them in.
    const [row] = await query(
      keyStepRow,
      `WITH l AS (
         SELECT "id" FROM "PendingLogin"
         WHERE "id" = $1::uuid AND "verifiedAt" IS NULL AND ${livePendingLoginSql(null, "$2")}
         FOR UPDATE
       ), k AS (
         UPDATE "SecurityKey" SET "signCount" = $4::bigint, "lastUsedAt" = $2::timestamp
         WHERE "id" = $5::uuid AND "orgId" = $6::uuid AND "flaggedAt" IS NULL AND ${counterMovesForward("$4")} AND EXISTS (SELECT 1 FROM l)
         RETURNING 1
       ), p AS (
         UPDATE "PendingLogin" SET "verifiedAt" = $2::timestamp, "verifiedMethod" = $3, "emailCodeHash" = NULL
         WHERE "id" IN (SELECT "id" FROM l) AND ($5::uuid IS NULL OR EXISTS (SELECT 1 FROM k))
         RETURNING "orgId", "userId"
       ), r AS (
         ${releaseRateLimitSql("$8", "EXISTS (SELECT 1 FROM p)")}
       ), u AS (
         UPDATE "User" SET "secondFactorFailures" = 0 WHERE ("id", "orgId") = (SELECT "userId", "orgId" FROM p) AND "secondFactorFailures" > 0
         RETURNING 1
       ), ${eventCtes("$7", `(SELECT "orgId", "userId" FROM p WHERE (SELECT count(*) FROM u) >= 0)`)}
       SELECT EXISTS (SELECT 1 FROM p) AS verified,
              ($5::uuid IS NOT NULL AND EXISTS (SELECT 1 FROM l) AND NOT EXISTS (SELECT 1 FROM k)) AS behind`,
      [
        pending.id,
        ts(now),
        method,
        keyUse ? String(keyUse.newCounter) : null,
        keyUse?.keyId ?? null,
        pending.orgId,
        JSON.stringify([eventRow({ orgId: pending.orgId, actor: SELF, request }, event)]),
        slot,
      ],
    );
    if (keyUse && row?.behind) {
      // The pending login was live but the counter could not move forward: a replayed or cloned key.
      await flagPossibleClone(pending, keyUse.keyId, request, now);
      throw counterRegression();
    }
    if (!row?.verified) throw new LoginExpiredError();
    return { deviceToken: null };
  }
  const deviceToken = await withEvents(async (tx) => {
    const verified = await execute(
      `UPDATE "PendingLogin" SET "verifiedAt" = $2::timestamp, "verifiedMethod" = $3, "emailCodeHash" = NULL
         WHERE "id" = $1::uuid AND "verifiedAt" IS NULL AND ${livePendingLoginSql(null, "$2")} RETURNING 1`,
      [pending.id, ts(now), method],
      tx,
    );
    if (verified !== 1) throw new LoginExpiredError();
    // Rolls the pending login back when the counter did not move forward; the key is flagged below.
    if (keyUse && !(await writeKeyUse(pending, keyUse.keyId, keyUse.newCounter, now, tx))) throw counterRegression();
    const token = await activateDevice(tx, pending, request, now);
    await resetSecondFactorFailures(tx, pending);
    // An emailed code needs no second email: the code's own email named this browser.
    if (method !== "Emailed code") await notifyNewDevice(tx, pending, method, request, now);
    await recordEvent({ orgId: pending.orgId, actor: SELF, request }, event, tx);
    return token;
  }).catch(async (error: unknown) => {
    if (keyUse && error instanceof WebAuthnRefusal && error.code === "counter-regression") await flagPossibleClone(pending, keyUse.keyId, request, now);
    throw error;
  });
  if (slot) await releaseRateLimit(slot);
  return { deviceToken };
}

const keyStepRow = rowMapper({ verified: col.bool, behind: col.bool });

/** Security key, step 1: a challenge bound to this pending login; allowCredentials = the user's usable keys. */
export async function startKeyVerification(pending: PendingLoginSubject, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { usableKeys } = await userMethods(pending);
  if (usableKeys.length === 0) throw new UserFacingError("You have no security key you can use here. Choose another way to verify.");
  const challenge = await issueChallenge(pending, "login", now);
  return generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: keySettingsOf(pending.policy).policy.userVerification,
    allowCredentials: usableKeys.map((k) => ({ id: k.credentialId, transports: k.transports as never })),
  });
}

/** Security key, step 2: the assertion must answer this pending login's challenge, by one of the user's own keys. */
export async function verifyWithKey(
  pending: PendingLoginSubject,
  response: AuthenticationResponseJSON,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  let keyUse: { keyId: string; keyName: string; newCounter: number };
  // No per-user slot: a key's signature cannot be guessed, and counting its failures per user would let
  // someone who knows only the password lock the owner's key out. The pending login's own 5 failures still apply.
  try {
    if (!pending.policy.allowSecurityKeys) throw new WebAuthnRefusal("keys-disabled", "Your org doesn't allow security keys. Choose another way to verify.");
    const challenge = await consumeChallenge(pending, "login", challengeOf(response), now);
    keyUse = await verifyOwnKeyAssertion(pending, response, challenge, request, now, { deferCounterWrite: true });
  } catch (error) {
    return fail(pending, "Security key", error, request, now);
  }
  try {
    return await succeed(pending, "Security key", request, now, keyUse);
  } catch (error) {
    // Another assertion stored this counter first (a copy of the key): a failed verification like any regression.
    if (error instanceof WebAuthnRefusal) return fail(pending, "Security key", error, request, now);
    throw error;
  }
}

/** Emailed code, step 1: a fresh 6-digit code (the previous one stops working), through the outbox. At most 3 per 15 minutes per user. */
export async function sendEmailCode(pending: PendingLoginSubject, request: RequestInfo, now = new Date()): Promise<{ expiresAt: Date }> {
  if (!pending.needsDeviceActivation || pending.needsSecondFactor) {
    throw new UserFacingError("An emailed code can't verify this login. Use your security key.");
  }
  await refuseWhenLocked(pending);
  const wait = secondsOverLimit(await hitRateLimit(emailSendKey(pending.userId), EMAIL_CODE_SEND_LIMIT, now), EMAIL_CODE_SEND_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);
  const code = newEmailedCode();
  const expiresAt = new Date(now.getTime() + EMAIL_CODE_TTL_MS);
  await db().$transaction(async (tx) => {
    const updated = await execute(
      `UPDATE "PendingLogin" SET "emailCodeHash" = $3, "emailCodeExpiresAt" = $4::timestamp, "emailCodeAttempts" = 0
       WHERE "id" = $1::uuid AND "verifiedAt" IS NULL AND ${livePendingLoginSql(null, "$2")} RETURNING 1`,
      [pending.id, ts(now), emailedCodeHash(pending.id, code), ts(expiresAt)],
      tx,
    );
    if (updated !== 1) throw new LoginExpiredError();
    const user = await tx.user.findFirstOrThrow({ where: { id: pending.userId, orgId: pending.orgId }, include: { org: true } });
    await enqueueSecurityEmail(tx, {
      orgId: pending.orgId,
      userId: pending.userId,
      to: user.email,
      template: "device-activation-code",
      summary: `Someone signed in to your account from a browser we hadn't seen before (${describeBrowser(request.userAgent)}, IP address ${request.ip ?? "unknown"}) and asked for an activation code.`,
      data: { name: user.name, orgName: user.org.name, code, expiresAt, ip: request.ip, browser: describeBrowser(request.userAgent) },
    });
  });
  return { expiresAt };
}

/** Emailed code, step 2: the newest code, unexpired, within its 5 attempts. */
export async function verifyWithEmailCode(
  pending: PendingLoginSubject,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  await refuseWhenLocked(pending);
  await takeVerifySlot(pending, now);
  try {
    if (!pending.needsDeviceActivation || pending.needsSecondFactor) {
      throw new UserFacingError("An emailed code can't verify this login. Use your security key.");
    }
    if (!pending.emailCodeHash || !pending.emailCodeExpiresAt) throw new UserFacingError("Send yourself a code first.");
    if (pending.emailCodeExpiresAt <= now) throw new UserFacingError("That code has expired. Send a new one.", { code: "That code has expired." });
    // Count the guess before comparing, atomically, so parallel guesses cannot exceed the limit.
    const { count } = await db().pendingLogin.updateMany({
      where: { id: pending.id, emailCodeHash: pending.emailCodeHash, emailCodeAttempts: { lt: EMAIL_CODE_MAX_ATTEMPTS } },
      data: { emailCodeAttempts: { increment: 1 } },
    });
    if (count !== 1) throw new UserFacingError("Too many wrong codes. Send a new one.", { code: "Too many wrong codes." });
    if (!emailedCodeMatches(pending.emailCodeHash, pending.id, code)) {
      throw new UserFacingError("That code isn't right. Check the latest email and try again.", { code: "That code isn't right." });
    }
  } catch (error) {
    return fail(pending, "Emailed code", error, request, now);
  }
  return succeed(pending, "Emailed code", request, now);
}

const ONE_TIME_CODES = {
  "authenticator-app": {
    method: "Authenticator app",
    consume: verifyAuthenticatorCode,
    wrong: "That code isn't right. Use the newest code from your authenticator app.",
  },
  "recovery-code": { method: "Recovery code", consume: consumeRecoveryCode, wrong: "That recovery code isn't right or was already used." },
  "temporary-code": { method: "Temporary code", consume: consumeTemporaryCode, wrong: "That temporary code isn't right, has expired or was already used." },
} as const;

/**
 * A recovery code or an admin-issued temporary code: either satisfies the
 * second factor and device activation. The code is used up (atomically) only
 * when it verifies this pending login.
 */
export async function verifyWithOneTimeCode(
  pending: PendingLoginSubject,
  kind: keyof typeof ONE_TIME_CODES,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  const { method, consume, wrong } = ONE_TIME_CODES[kind];
  // The admin's temporary code is what unlocks a locked step.
  if (kind !== "temporary-code") await refuseWhenLocked(pending);
  await takeVerifySlot(pending, now);
  try {
    if (!(await consume(pending, code, now))) throw new UserFacingError(wrong, { code: wrong });
  } catch (error) {
    return fail(pending, method, error, request, now);
  }
  const verified = await succeed(pending, method, request, now);
  // The admin's (or operator's) code is the recovery "Admin recovery required" waited for.
  if (kind === "temporary-code") await endAdminRecovery(pending);
  return verified;
}
