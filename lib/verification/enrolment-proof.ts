import "server-only";
import type { OrgContext } from "../auth/org-context";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import { db } from "../db/client";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { ForbiddenError, RateLimitedError, UserFacingError } from "../errors";
import { describeBrowser } from "../http/request-info";
import { emailedCodeHash, emailedCodeMatches, newEmailedCode } from "./codes";
import { recordEvent, withEvents } from "../events/record";

// Enrolment under required MFA (DESIGN.md section 9): before a session that
// must enrol a first factor may register a key or connect an app, its user
// proves their mailbox with an emailed 6-digit code. A stolen password alone
// then never enrols the thief's key. The proof belongs to the session: the
// code is hashed with the session id and stored on its row, and a new login
// proves the mailbox again.

/** Emailed enrolment codes per user, across their sessions. */
export const ENROLMENT_CODE_SEND_LIMIT: RateLimitRule = { limit: 3, windowSeconds: 15 * 60 };
export const ENROLMENT_CODE_TTL_MS = 10 * 60_000;
export const ENROLMENT_CODE_MAX_ATTEMPTS = 5;

export { MAILBOX_PROOF_REQUIRED } from "../auth/freshness";
const NOT_ENROLLING = "You don't need to confirm your email: your account isn't setting up its first verification method.";
const ALREADY_PROVED = "Your email is already confirmed. Register a security key or connect an authenticator app.";

export { MailboxProofRequiredError } from "../auth/freshness";

const sendKey = (userId: string) => `enrolment:email-code:user:${userId}`;
const boundTo = (sessionId: string) => `enrolment:${sessionId}`;

/** The caller's own live session row (its enrolment code and proof). */
async function sessionOf(ctx: OrgContext) {
  const session = await db().session.findFirst({
    where: { id: ctx.sessionId, userId: ctx.userId, orgId: ctx.orgId, revokedAt: null },
    select: { enrolmentCodeHash: true, enrolmentCodeExpiresAt: true, mailboxProvedAt: true },
  });
  if (!session) throw new ForbiddenError("Your session has ended. Log in again.");
  return session;
}

/**
 * Enrolling a first factor under the org's MFA requirement: due now, or in the
 * grace period before "MFA required from". Either way the first factor waits
 * for the mailbox proof, so a stolen password alone never enrols one.
 */
function enrolling(ctx: OrgContext): boolean {
  // Or registering the key the user's role requires, once in force (DESIGN.md section 14).
  return (ctx.mfa.required && ctx.mfa.secondFactors.length === 0) || Boolean(ctx.mfa.keyRequirement?.due);
}

export interface EnrolmentProof {
  /** Enrolment is due and this session has not proved the mailbox yet. */
  needed: boolean;
  /** A code was sent and has not expired. */
  codeSent: boolean;
}

/** What Advanced User Details shows about the proof; no query unless enrolment is due. */
export async function enrolmentProofOf(ctx: OrgContext, now = new Date()): Promise<EnrolmentProof> {
  if (!enrolling(ctx)) return { needed: false, codeSent: false };
  const session = await sessionOf(ctx);
  return {
    needed: !session.mailboxProvedAt,
    codeSent: Boolean(session.enrolmentCodeHash && session.enrolmentCodeExpiresAt && session.enrolmentCodeExpiresAt > now),
  };
}

/** Step 1: a fresh 6-digit code (the previous one stops working), emailed through the outbox. At most 3 per 15 minutes per user. */
export async function sendEnrolmentCode(ctx: OrgContext, now = new Date()): Promise<{ expiresAt: Date }> {
  if (!enrolling(ctx)) throw new UserFacingError(NOT_ENROLLING);
  if ((await sessionOf(ctx)).mailboxProvedAt) throw new UserFacingError(ALREADY_PROVED);
  const wait = secondsOverLimit(await hitRateLimit(sendKey(ctx.userId), ENROLMENT_CODE_SEND_LIMIT, now), ENROLMENT_CODE_SEND_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);
  const code = newEmailedCode();
  const expiresAt = new Date(now.getTime() + ENROLMENT_CODE_TTL_MS);
  await db().$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { id: ctx.sessionId, userId: ctx.userId, orgId: ctx.orgId, revokedAt: null, mailboxProvedAt: null },
      data: { enrolmentCodeHash: emailedCodeHash(boundTo(ctx.sessionId), code), enrolmentCodeExpiresAt: expiresAt, enrolmentCodeAttempts: 0 },
    });
    if (count !== 1) throw new UserFacingError(ALREADY_PROVED);
    const user = await tx.user.findFirstOrThrow({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { name: true, email: true } });
    await enqueueSecurityEmail(tx, {
      orgId: ctx.orgId,
      userId: ctx.userId,
      to: user.email,
      template: "enrolment-code",
      summary: "Someone signed in as you started setting up a security key or an authenticator app, and asked for a code to confirm your email.",
      data: { name: user.name, orgName: ctx.orgName, code, expiresAt, ip: ctx.request.ip, browser: describeBrowser(ctx.request.userAgent) },
    });
  });
  return { expiresAt };
}

/**
 * Step 2: the newest code of this session, unexpired, within its 5 attempts.
 * Success marks the session's mailbox proved and clears the code; every
 * checked code, right or wrong, is written to Identity Verification History.
 */
export async function verifyEnrolmentCode(ctx: OrgContext, code: string, now = new Date()): Promise<void> {
  if (!enrolling(ctx)) throw new UserFacingError(NOT_ENROLLING);
  const session = await sessionOf(ctx);
  if (session.mailboxProvedAt) throw new UserFacingError(ALREADY_PROVED);
  const stored = session.enrolmentCodeHash;
  if (!stored || !session.enrolmentCodeExpiresAt) throw new UserFacingError("Send yourself a code first.");
  const user = { id: ctx.userId, name: ctx.userName };
  try {
    if (session.enrolmentCodeExpiresAt <= now) throw new UserFacingError("That code has expired. Send a new one.", { code: "That code has expired." });
    // Count the guess before comparing, atomically, so parallel guesses cannot exceed the limit.
    const { count } = await db().session.updateMany({
      where: { id: ctx.sessionId, revokedAt: null, enrolmentCodeHash: stored, enrolmentCodeAttempts: { lt: ENROLMENT_CODE_MAX_ATTEMPTS } },
      data: { enrolmentCodeAttempts: { increment: 1 } },
    });
    if (count !== 1) throw new UserFacingError("Too many wrong codes. Send a new one.", { code: "Too many wrong codes." });
    if (!emailedCodeMatches(stored, boundTo(ctx.sessionId), code)) {
      throw new UserFacingError("That code isn't right. Check the latest email and try again.", { code: "That code isn't right." });
    }
  } catch (error) {
    const detail = error instanceof Error ? error.message : "Verification failed";
    await recordEvent(ctx, { type: "user.verification.failed", user, data: { method: "emailed-code", purpose: "enrolment-email", detail } });
    throw error;
  }
  await withEvents(async (tx) => {
    // Consumed once: a parallel request with the same code, or a newer code sent meanwhile, finds nothing to update.
    const { count } = await tx.session.updateMany({
      where: { id: ctx.sessionId, revokedAt: null, enrolmentCodeHash: stored, mailboxProvedAt: null },
      data: { mailboxProvedAt: now, enrolmentCodeHash: null, enrolmentCodeExpiresAt: null, enrolmentCodeAttempts: 0 },
    });
    if (count !== 1) throw new UserFacingError("That code was already used or replaced. Send a new one.", { code: "That code was already used." });
    await recordEvent(ctx, { type: "user.verification.succeeded", user, data: { method: "emailed-code", purpose: "enrolment-email" } }, tx);
  });
}
