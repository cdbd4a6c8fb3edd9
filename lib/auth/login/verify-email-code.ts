import "server-only";
import { db } from "../../db/client";
import { execute, ts } from "../../db/sql";
import { enqueueSecurityEmail } from "../../users/wasnt-me-links";
import { RateLimitedError, UserFacingError } from "../../errors";
import { describeBrowser, type RequestInfo } from "../../http/request-info";
import { emailedCodeHash, emailedCodeMatches, newEmailedCode } from "../../verification/codes";
import type { PendingLoginSubject } from "../org-context";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../rate-limit";
import { livePendingLoginSql, LoginExpiredError } from "./pending-login";
import { refuseWhenLocked } from "./second-factor-failures";
import { completeVerification, failVerification, takeVerifySlot } from "./verification-core";

// An emailed code proves only the mailbox: it activates a new browser when no
// second factor is needed, never stands in for one.

/** Emailed device-activation codes per user. */
export const EMAIL_CODE_SEND_LIMIT: RateLimitRule = { limit: 3, windowSeconds: 15 * 60 };
export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;

const emailSendKey = (userId: string) => `verify:email-code:user:${userId}`;

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
    return failVerification(pending, "Emailed code", error, request, now);
  }
  return completeVerification(pending, "Emailed code", request, now);
}
