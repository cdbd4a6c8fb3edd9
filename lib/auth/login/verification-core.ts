import "server-only";
import { execute, query, col, rowMapper, ts } from "../../db/sql";
import { RateLimitedError, UserFacingError } from "../../errors";
import type { RequestInfo } from "../../http/request-info";
import type { VerificationMethod } from "../../verification/history";
import { eventRow, recordEvent, SELF, withEvents } from "../../events/record";
import { methodCodeOf } from "../../events/projections";
import { eventCtes } from "../../events/sql";
import type { SecurityEventOf } from "../../events/types";
import { counterMovesForward, counterRegression, flagPossibleClone, writeKeyUse } from "../../webauthn/assertion";
import { WebAuthnRefusal } from "../../webauthn/refusal";
import type { PendingLoginSubject } from "../org-context";
import { hitRateLimit, releaseRateLimit, releaseRateLimitSql, secondsOverLimit, type RateLimitRule } from "../rate-limit";
import { activateDevice } from "./devices";
import { livePendingLoginSql, LoginExpiredError, noteFailedVerification } from "./pending-login";
import { countSecondFactorFailure, notifyNewDevice, refuseWhenLocked, resetSecondFactorFailures } from "./second-factor-failures";

// /verify: how a pending login is verified. Each method (verify-*.ts) checks
// its proof, then `completeVerification` marks the pending login verified
// (once), activates the browser when device activation was needed, and writes
// the history. Every failure is counted against the pending login and the
// user, and recorded (`failVerification`).

/** Failed verifications per user across all their pending logins, in the database. */
export const VERIFY_LIMIT: RateLimitRule = { limit: 10, windowSeconds: 15 * 60 };

const verifyKey = (userId: string) => `verify:user:${userId}`;

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
export async function takeVerifySlot(pending: PendingLoginSubject, now: Date): Promise<void> {
  const wait = secondsOverLimit(await hitRateLimit(verifyKey(pending.userId), VERIFY_LIMIT, now), VERIFY_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);
}

/** Records a failed attempt everywhere it counts, then rethrows it (with the attempts left when that helps). */
export async function failVerification(
  pending: PendingLoginSubject,
  method: VerificationMethod,
  error: unknown,
  request: RequestInfo,
  now: Date,
): Promise<never> {
  const reason = error instanceof Error ? error.message : "Verification failed";
  const left = await noteFailedVerification(pending);
  // A code that failed counts towards the lock; a key's failure is no guess (see verifyWithKey in verify-key.ts).
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
export async function completeVerification(
  pending: PendingLoginSubject,
  method: VerificationMethod,
  request: RequestInfo,
  now: Date,
  keyUse?: { keyId: string; keyName: string; newCounter: number },
): Promise<{ deviceToken: string | null }> {
  const event = verificationEvent(pending, method, { keyUse }, now);
  // Gives back the slot takeVerifySlot took; a key takes none (see verifyWithKey in verify-key.ts), so it gives none back.
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
      await flagPossibleClone(pending, { id: keyUse.keyId, name: keyUse.keyName }, request, now);
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
    if (keyUse && error instanceof WebAuthnRefusal && error.code === "counter-regression")
      await flagPossibleClone(pending, { id: keyUse.keyId, name: keyUse.keyName }, request, now);
    throw error;
  });
  if (slot) await releaseRateLimit(slot);
  return { deviceToken };
}

const keyStepRow = rowMapper({ verified: col.bool, behind: col.bool });

/** A typed code's proof: how it is checked, and what a wrong one says. */
export interface TypedCodeCheck {
  method: VerificationMethod;
  /** True when the code verifies this pending login; a single-use code is used up (atomically) only then. */
  consume: (pending: PendingLoginSubject, code: string, now: Date) => Promise<boolean>;
  wrong: string;
  /** The admin's temporary code is what unlocks a locked step, so it is still accepted there. */
  unlocksLockedStep?: boolean;
}

/** An authenticator app's code, a recovery code or a temporary code: the lock, a slot of the budget, the code, then the login verified. */
export async function verifyWithTypedCode(
  pending: PendingLoginSubject,
  check: TypedCodeCheck,
  code: string,
  request: RequestInfo,
  now: Date,
): Promise<{ deviceToken: string | null }> {
  if (!check.unlocksLockedStep) await refuseWhenLocked(pending);
  await takeVerifySlot(pending, now);
  try {
    if (!(await check.consume(pending, code, now))) throw new UserFacingError(check.wrong, { code: check.wrong });
  } catch (error) {
    return failVerification(pending, check.method, error, request, now);
  }
  return completeVerification(pending, check.method, request, now);
}
