import "server-only";
import crypto from "node:crypto";
import { cookieName } from "../auth/cookies";
import { hashPassword } from "../auth/passwords/password";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import { hashToken, randomToken } from "../crypto/tokens";
import { db } from "../db/client";
import type { PendingSignup, Prisma } from "../db/generated/client";
import { enqueueEmail } from "../email/outbox";
import { withEvents } from "../events/record";
import { env } from "../env";
import { maskEmail } from "../format";
import { emailedCodeHash, emailedCodeMatches, newEmailedCode } from "../verification/codes";
import { RateLimitedError, UserFacingError } from "../errors";
import { describeBrowser, rateLimitAddress, type RequestInfo } from "../http/request-info";
import { fieldErrorsOf, signupSchema } from "../validation/account";
import { humanIssueMessage } from "../validation/messages";
import { assertPasswordAllowed } from "../auth/passwords/password-policy";
import { assertOrgAvailable, insertOrgWithAdmin, takenFieldError, takenFields, type CreatedOrg } from "./mutations";

// "Create your org" in two steps (DESIGN.md section 9, Abuse). Step 1 keeps
// the details and the hashed password in a PendingSignup row, named by an
// httpOnly cookie of the browser that started it, and emails a 6-digit code.
// Step 2 takes that code in that browser: only then do the org and its admin
// exist. Starts are throttled per client IP, codes per address.

export const SIGNUP_CODE_TTL_MS = 10 * 60_000;
export const SIGNUP_CODE_MAX_ATTEMPTS = 5;
/** How long after it started a pending sign-up can still get a new code. */
export const SIGNUP_MAX_AGE_MS = 60 * 60_000;
/** The cookie outlives the newest code a pending sign-up can get. */
export const SIGNUP_COOKIE_MAX_AGE_S = (SIGNUP_MAX_AGE_MS + SIGNUP_CODE_TTL_MS) / 1000;
/** Rows whose code expired longer ago than this are deleted whenever a sign-up starts. */
const SWEEP_AFTER_MS = 24 * 60 * 60_000;

/** Codes emailed per address (first codes and new ones alike). */
export const SIGNUP_CODE_LIMIT: RateLimitRule = { limit: 3, windowSeconds: 15 * 60 };
/** Sign-ups started per client IP: each one emails an address nobody has proved yet. */
export function signupIpLimit(): RateLimitRule {
  return { limit: env().SIGNUP_LIMIT_PER_IP, windowSeconds: 60 * 60 };
}

// Requests whose client IP is unknown share one bucket rather than escaping the limit.
const ipKey = (ip: string | null) => `signup:ip:${ip ? rateLimitAddress(ip) : "unknown"}`;
const addressKey = (email: string) => `signup:email:${email.toLowerCase()}`;

export const SIGNUP_GONE = "This sign-up has expired or was started in another browser. Start again.";
export const SIGNUP_DONE = "This sign-up is already complete. Log in with your email and password.";
export const SIGNUP_TOO_MANY_CODES = "Too many wrong codes. Start again.";
const WRONG_CODE = "That code isn't right. Check the latest email and try again.";

/** The pending sign-up cannot go on: the browser has to start again from step 1. */
export class SignupExpiredError extends UserFacingError {
  readonly code = "signup-expired";
  constructor(message = SIGNUP_GONE) {
    super(message);
    this.name = "SignupExpiredError";
  }
}

export function signupCookieName(): string {
  return cookieName("signup");
}

export interface StartedSignup {
  /** For the browser's httpOnly cookie; only its hash is stored. */
  token: string;
  /** Where the code went, partly hidden ("a•••@acme.test"). */
  emailHint: string;
  expiresAt: Date;
}

/**
 * Step 1: checks the details (and that the slug and username are free), keeps
 * them with the hashed password, and emails a code, in one transaction.
 */
export async function startSignup(input: unknown, request: RequestInfo, now = new Date()): Promise<StartedSignup> {
  const parsed = signupSchema.safeParse(input, { error: humanIssueMessage });
  if (!parsed.success) {
    // Every problem at once: a well-formed URL name or email that is taken is reported with the format errors
    // (the availability answer costs an IP slot here too, as below).
    const fieldErrors = fieldErrorsOf(parsed.error);
    const slug = signupSchema.shape.slug.safeParse((input as { slug?: unknown } | null)?.slug);
    const email = signupSchema.shape.email.safeParse((input as { email?: unknown } | null)?.email);
    if ((slug.success && !fieldErrors.slug) || (email.success && !fieldErrors.email)) {
      await takeSlot(ipKey(request.ip), signupIpLimit(), now);
      const taken = await takenFields({ slug: slug.success ? slug.data : undefined, email: email.success ? email.data : undefined });
      Object.assign(fieldErrors, taken);
    }
    throw new UserFacingError("Check the highlighted fields.", fieldErrors);
  }
  const details = parsed.data;
  assertPasswordAllowed(details.password, { username: details.email, orgName: details.orgName });
  await db().pendingSignup.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - SWEEP_AFTER_MS) } } });

  // Counted before the availability check too: it answers whether an email is a username.
  await takeSlot(ipKey(request.ip), signupIpLimit(), now);
  await assertOrgAvailable(details.slug, details.email);
  await takeSlot(addressKey(details.email), SIGNUP_CODE_LIMIT, now);

  const passwordHash = await hashPassword(details.password);
  const token = randomToken();
  const id = crypto.randomUUID();
  const code = newEmailedCode();
  const expiresAt = new Date(now.getTime() + SIGNUP_CODE_TTL_MS);
  await db().$transaction(async (tx) => {
    await tx.pendingSignup.create({
      data: {
        id,
        tokenHash: hashToken(token),
        orgName: details.orgName,
        slug: details.slug,
        name: details.name,
        email: details.email,
        passwordHash,
        codeHash: emailedCodeHash(id, code),
        ip: request.ip,
        expiresAt,
        createdAt: now,
      },
    });
    await emailCode(tx, details, code, expiresAt, request);
  });
  return { token, emailHint: maskEmail(details.email), expiresAt };
}

/** "Send a new code": the same pending sign-up, a fresh code (the previous one stops working), within the address's limit. */
export async function resendSignupCode(
  token: string | null | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<{ emailHint: string; expiresAt: Date }> {
  const row = await findPendingSignup(token);
  refuseIfOver(row);
  if (row.createdAt.getTime() <= now.getTime() - SIGNUP_MAX_AGE_MS) throw new SignupExpiredError();
  await takeSlot(addressKey(row.email), SIGNUP_CODE_LIMIT, now);

  const code = newEmailedCode();
  const expiresAt = new Date(now.getTime() + SIGNUP_CODE_TTL_MS);
  await db().$transaction(async (tx) => {
    const { count } = await tx.pendingSignup.updateMany({
      where: { id: row.id, completedAt: null, attempts: { lt: SIGNUP_CODE_MAX_ATTEMPTS } },
      data: { codeHash: emailedCodeHash(row.id, code), expiresAt },
    });
    if (count !== 1) throw new SignupExpiredError();
    await emailCode(tx, row, code, expiresAt, request);
  });
  return { emailHint: maskEmail(row.email), expiresAt };
}

/**
 * Step 2: the newest code of this browser's pending sign-up, unexpired, within
 * its 5 attempts. The pending sign-up is used up and the org and its admin are
 * created in one transaction; returns what loginAfterSignup needs.
 */
export async function completeSignup(token: string | null | undefined, code: string, request: RequestInfo, now = new Date()): Promise<CreatedOrg> {
  const row = await findPendingSignup(token);
  refuseIfOver(row);
  if (row.expiresAt <= now) throw new UserFacingError("That code has expired. Send a new one.", { code: "That code has expired." });

  // Count the guess before comparing, atomically, so parallel guesses cannot exceed the limit.
  const { count } = await db().pendingSignup.updateMany({
    where: { id: row.id, codeHash: row.codeHash, completedAt: null, attempts: { lt: SIGNUP_CODE_MAX_ATTEMPTS } },
    data: { attempts: { increment: 1 } },
  });
  if (count !== 1) {
    // Used up or exhausted meanwhile; otherwise a new code was sent and this one no longer counts.
    refuseIfOver(await db().pendingSignup.findUnique({ where: { id: row.id } }));
    throw new UserFacingError(WRONG_CODE, { code: "That code isn't right." });
  }
  if (!emailedCodeMatches(row.codeHash, row.id, code)) {
    if (row.attempts + 1 >= SIGNUP_CODE_MAX_ATTEMPTS) throw new SignupExpiredError(SIGNUP_TOO_MANY_CODES);
    throw new UserFacingError(WRONG_CODE, { code: "That code isn't right." });
  }

  try {
    await assertOrgAvailable(row.slug, row.email);
    return await withEvents(async (tx) => {
      // The password hash and code are not kept once the admin exists.
      const used = await tx.pendingSignup.updateMany({
        where: { id: row.id, codeHash: row.codeHash, completedAt: null, expiresAt: { gt: now } },
        data: { completedAt: now, passwordHash: "", codeHash: "" },
      });
      if (used.count !== 1) throw new SignupExpiredError();
      return insertOrgWithAdmin(tx, row, request);
    });
  } catch (error) {
    throw takenWhileConfirming(takenFieldError(error) ?? error, row.slug);
  }
}

async function findPendingSignup(token: string | null | undefined): Promise<PendingSignup | null> {
  if (!token || token.length > 128) return null;
  return db().pendingSignup.findUnique({ where: { tokenHash: hashToken(token) } });
}

/** Refuses a pending sign-up that is missing, used or out of attempts: the browser must start again. */
function refuseIfOver(row: PendingSignup | null): asserts row is PendingSignup {
  if (!row) throw new SignupExpiredError();
  if (row.completedAt) throw new SignupExpiredError(SIGNUP_DONE);
  if (row.attempts >= SIGNUP_CODE_MAX_ATTEMPTS) throw new SignupExpiredError(SIGNUP_TOO_MANY_CODES);
}

/** The slug or email was taken by someone else after step 1: step 2 has no such field, so the message says what to do. */
function takenWhileConfirming(error: unknown, slug: string): unknown {
  if (!(error instanceof UserFacingError) || error instanceof SignupExpiredError || !error.fieldErrors) return error;
  if (error.fieldErrors.slug) {
    return new UserFacingError(`The URL name ${slug} was taken while you were confirming your email. Go back and choose another.`, error.fieldErrors);
  }
  if (error.fieldErrors.email)
    return new UserFacingError("This email became a Gatehouse username while you were confirming it. Log in instead.", error.fieldErrors);
  return error;
}

async function takeSlot(key: string, rule: RateLimitRule, now: Date): Promise<void> {
  const wait = secondsOverLimit(await hitRateLimit(key, rule, now), rule, now);
  if (wait > 0) throw new RateLimitedError(wait);
}

async function emailCode(
  tx: Prisma.TransactionClient,
  to: { email: string; name: string; orgName: string },
  code: string,
  expiresAt: Date,
  request: RequestInfo,
): Promise<void> {
  // No org yet: the message belongs to no org's Email Log.
  await enqueueEmail(tx, {
    orgId: null,
    to: to.email,
    template: "signup-code",
    data: { name: to.name, orgName: to.orgName, code, expiresAt, ip: request.ip, browser: describeBrowser(request.userAgent) },
  });
}
