import "server-only";
import { setTimeout as sleep } from "node:timers/promises";
import { revokeTokensCreatedBy } from "../api-tokens/mutations";
import { recordEvent, withEvents } from "../events/record";
import { ANONYMOUS } from "../events/types";
import type { Elevated } from "../auth/freshness";
import { requirePermission, userIdOf } from "../auth/principal";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { EmailQuotaExceededError, enqueueEmail, reportEmailQuotaRefusal, type EmailBudget } from "../email/outbox";
import { wakeMailWorker } from "../email/runner";
import { NotFoundError, RateLimitedError, UserFacingError } from "../errors";
import { rateLimitAddress, type RequestInfo } from "../http/request-info";
import { createSetPasswordLink } from "./invitations";
import { endSessionsAndPendingLogins, replacePassword } from "./password-changes";

// Password resets (DESIGN.md section 10): "Forgot your password?" on /login,
// an admin's "Reset password", and the link sent after "This wasn't me". Each
// emails a single-use set-password link (1 hour, stored hashed; the page is
// app/(auth)/set-password/[token], shared with invitations). Using it ends every
// session and pending login; it never skips verification at the next login.

export const FORGOT_PASSWORD_LIMITS = {
  perIp: { limit: 10, windowSeconds: 15 * 60 },
  /** Per username from one client network (IPv6 /64): a stranger's requests use up their own budget, not the owner's. */
  perUsernameFromNetwork: { limit: 3, windowSeconds: 60 * 60 },
  /** Per username from anywhere: a cap on the emails one mailbox can be sent. */
  perUsername: { limit: 10, windowSeconds: 60 * 60 },
} satisfies Record<string, RateLimitRule>;

/** Every answer to "Forgot your password?" takes at least this long, whether or not the username exists. */
export const FORGOT_PASSWORD_MIN_MS = 300;

export const RESET_REQUESTED =
  "If that username belongs to an active account, we've emailed its owner a link to choose a new password. The link works for 1 hour.";

type Tx = Prisma.TransactionClient;
export type ResetReason = "requested" | "admin" | "compromise";

export interface ResetRecipient {
  id: string;
  orgId: string;
  name: string;
  username: string;
  email: string;
  orgName: string;
}

/** Whose hourly email quota each reset counts against: a stranger's requests never use up the admin's or containment's. */
const RESET_BUDGETS: Record<ResetReason, EmailBudget> = { requested: "requested", admin: "admin", compromise: "containment" };

/** A reset link and its email, in the caller's transaction; the user's older links stop working. */
export async function issuePasswordReset(tx: Tx, user: ResetRecipient, reason: ResetReason, now = new Date()): Promise<void> {
  const { link, expiresAt } = await createSetPasswordLink(tx, user, "reset", now);
  await enqueueEmail(
    tx,
    {
      orgId: user.orgId,
      to: user.email,
      template: "password-reset",
      data: {
        name: user.name,
        username: user.username,
        orgName: user.orgName,
        byAdmin: reason === "admin",
        afterReport: reason === "compromise",
        link,
        expiresAt,
      },
    },
    { budget: RESET_BUDGETS[reason] },
  );
}

async function takeSlot(key: string, rule: RateLimitRule, now: Date): Promise<void> {
  const wait = secondsOverLimit(await hitRateLimit(key, rule, now), rule, now);
  if (wait > 0) throw new RateLimitedError(wait);
}

/**
 * "Forgot your password?": the same answer, in about the same time, whether
 * or not the username exists. The limits count the IP and the username typed
 * (known or not), so they reveal nothing either; the email counts towards the
 * org's email quota, and a refused email is not revealed.
 */
export async function requestPasswordReset(username: string, request: RequestInfo, options: { now?: Date; minDurationMs?: number } = {}): Promise<void> {
  const started = Date.now();
  const now = options.now ?? new Date();
  if (request.ip) await takeSlot(`forgot:ip:${rateLimitAddress(request.ip)}`, FORGOT_PASSWORD_LIMITS.perIp, now);
  // Past a username's budget the answer stays the same and nothing is sent: refusing would let three requests
  // from anyone block the owner's own "Forgot your password?" for an hour.
  const network = request.ip ? rateLimitAddress(request.ip) : "unknown";
  const fromNetwork = await hitRateLimit(`forgot:user:${username}:${network}`, FORGOT_PASSWORD_LIMITS.perUsernameFromNetwork, now);
  // Only requests within their network's budget count towards the username's overall cap.
  const withinBudget =
    secondsOverLimit(fromNetwork, FORGOT_PASSWORD_LIMITS.perUsernameFromNetwork, now) === 0 &&
    secondsOverLimit(await hitRateLimit(`forgot:user:${username}`, FORGOT_PASSWORD_LIMITS.perUsername, now), FORGOT_PASSWORD_LIMITS.perUsername, now) === 0;
  try {
    if (!withinBudget) return;
    const user = await db().user.findUnique({
      where: { claimedUsername: username },
      select: { id: true, orgId: true, name: true, username: true, email: true, isActive: true, org: { select: { name: true } } },
    });
    if (user?.isActive) {
      await withEvents(async (tx) => {
        await issuePasswordReset(tx, { ...user, orgName: user.org.name }, "requested", now);
        // Whoever asked is not known: anyone can type a username.
        await recordEvent({ orgId: user.orgId, actor: ANONYMOUS, request }, { type: "user.password.reset_requested", user }, tx);
      });
      wakeMailWorker();
    }
  } catch (error) {
    // A refused email (quota) is recorded for the org but answered like any other request.
    await reportEmailQuotaRefusal(error, { actor: null, request });
    if (!(error instanceof UserFacingError)) throw error;
  } finally {
    const left = (options.minDurationMs ?? FORGOT_PASSWORD_MIN_MS) - (Date.now() - started);
    if (left > 0) await sleep(left);
  }
}

/** How long after a reset link an admin's "Reset password" says one was just sent instead of sending another. */
export const RESET_REPEAT_MS = 60_000;

/**
 * An admin's "Reset password" (after their fresh "verify it's you"): the old
 * password stops working, the user's sessions and pending logins end, the API
 * tokens they created are revoked, and a set-password link is emailed.
 * Audited. An email the quota refuses does not undo the rest: the admin is
 * told it was not sent.
 */
export async function adminResetPassword(ctx: Elevated, userId: string, now = new Date()): Promise<void> {
  requirePermission(ctx, "users:write");
  const user = await db().user.findFirst({
    where: { id: userId, orgId: ctx.orgId },
    select: { id: true, orgId: true, name: true, username: true, email: true, isActive: true },
  });
  if (!user) throw new NotFoundError("That user");
  if (user.id === userIdOf(ctx)) throw new UserFacingError("To change your own password, use Change password in Advanced User Details.");
  if (!user.isActive) throw new UserFacingError("Reactivate this user before resetting their password.");
  // A second click (or a second admin) within a minute would mail another link and void the first while the user opens it.
  const justSent = await db().securityEvent.count({
    where: { orgId: ctx.orgId, type: "user.password.reset_by_admin", targetUserId: user.id, createdAt: { gt: new Date(now.getTime() - RESET_REPEAT_MS) } },
  });
  if (justSent > 0) throw new UserFacingError(`A reset link was just sent to ${user.name}. Ask them to check their email before sending another.`);
  const refused = await withEvents(async (tx) => {
    await replacePassword(tx, user, null, now);
    await endSessionsAndPendingLogins(tx, user, "password-reset", now);
    await recordEvent(ctx, { type: "user.password.reset_by_admin", user }, tx);
    await revokeTokensCreatedBy(user.id, "creator-password-reset", tx, ctx, now);
    // Checked before anything of the email is written, so the transaction goes on without it.
    return issuePasswordReset(tx, { ...user, orgName: ctx.orgName }, "admin", now).then(
      () => null,
      (error: unknown) => {
        if (error instanceof EmailQuotaExceededError) return error;
        throw error;
      },
    );
  });
  wakeMailWorker();
  if (refused) throw new ResetEmailRefusedError(refused, user.name);
}

/** An admin's reset went through but the quota refused its email: the admin must know the user got no link. The entry point records the refusal. */
export class ResetEmailRefusedError extends EmailQuotaExceededError {
  constructor(refused: EmailQuotaExceededError, userName: string) {
    super(refused.scope, refused.orgId, refused.template);
    const why = refused.scope === "recipient" ? "too many emails went to this address in the last hour" : "your org has sent too many emails in the last hour";
    this.message = `${userName}'s password was reset and their sessions ended, but the email with a link to choose a new one was not sent: ${why}. Use Reset password again later.`;
    this.name = "ResetEmailRefusedError";
  }
}
