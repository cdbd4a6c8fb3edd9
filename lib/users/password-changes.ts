import "server-only";
import { recordEvent, SELF, withEvents } from "../events/record";
import type { SteppedUp } from "../auth/freshness";
import { requirePermission } from "../auth/principal";
import { hashPassword } from "../auth/passwords/password";
import { withPasswordCheck } from "../auth/login/admission";
import { assertPasswordAllowed } from "../auth/passwords/password-policy";
import type { Prisma } from "../db/generated/client";
import { wakeMailWorker } from "../email/runner";
import { describeBrowser, type RequestInfo } from "../http/request-info";
import { enqueueSecurityEmail } from "./wasnt-me-links";
import { livePendingLoginSql } from "../auth/login/pending-login";
import { execute, ts } from "../db/sql";

// A password that changes: "Change password" in Advanced User Details, or a
// reset link used on the set-password page. Either way every other session
// and every pending login of the user ends, every other set-password or reset
// link of theirs stops working, and the user is emailed (with "This wasn't me").

type Tx = Prisma.TransactionClient;

export interface AccountOwner {
  id: string;
  orgId: string;
}

/**
 * Stores a user's new password hash (null: no password until a link sets one)
 * and voids every set-password and reset link of theirs still open, in the
 * caller's transaction: however the password changes, a link issued before
 * can no longer set it. Every change of password goes through here (a rehash
 * of the same password at login is not a change). Returns whether the user
 * was updated (`activeOnly`: only while the account is active).
 */
export async function replacePassword(
  tx: Tx,
  user: AccountOwner,
  passwordHash: string | null,
  now: Date,
  { activeOnly = false }: { activeOnly?: boolean } = {},
): Promise<boolean> {
  const updated = await tx.user.updateMany({ where: { id: user.id, orgId: user.orgId, ...(activeOnly ? { isActive: true } : {}) }, data: { passwordHash } });
  if (updated.count !== 1) return false;
  await tx.invitationToken.updateMany({ where: { userId: user.id, orgId: user.orgId, usedAt: null }, data: { usedAt: now } });
  return true;
}

/**
 * Ends every live session of a user (but `keepSessionId`) and every login
 * still waiting for verification, in the caller's transaction.
 */
export async function endSessionsAndPendingLogins(tx: Tx, user: AccountOwner, reason: string, now: Date, keepSessionId?: string): Promise<void> {
  await tx.session.updateMany({
    where: { userId: user.id, orgId: user.orgId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    data: { revokedAt: now, revokedReason: reason },
  });
  await execute(
    `UPDATE "PendingLogin" SET "expiresAt" = $3::timestamp WHERE "userId" = $1::uuid AND "orgId" = $2::uuid AND ${livePendingLoginSql(null, "$3")}`,
    [user.id, user.orgId, ts(now)],
    tx,
  );
}

async function notifyPasswordChanged(
  tx: Tx,
  user: AccountOwner & { name: string; email: string; orgName: string },
  how: "changed" | "reset",
  request: RequestInfo,
  now: Date,
) {
  await enqueueSecurityEmail(
    tx,
    {
      orgId: user.orgId,
      userId: user.id,
      to: user.email,
      template: "password-changed",
      summary: how === "reset" ? "Your password was reset with an emailed link." : "Your password was changed in Advanced User Details.",
      data: { name: user.name, orgName: user.orgName, byResetLink: how === "reset", at: now, ip: request.ip, browser: describeBrowser(request.userAgent) },
    },
    now,
  );
}

/** The rest of a reset link's transaction, once the new password is stored. */
export async function afterPasswordReset(
  tx: Tx,
  user: AccountOwner & { name: string; email: string; orgName: string },
  request: RequestInfo,
  now: Date,
): Promise<void> {
  await endSessionsAndPendingLogins(tx, user, "password-reset", now);
  // The link went to the user's own mailbox: whoever followed it acts as the user.
  await recordEvent({ orgId: user.orgId, actor: SELF, request }, { type: "user.password.reset", user: { id: user.id, name: user.name } }, tx);
  await notifyPasswordChanged(tx, user, "reset", request, now);
}

/**
 * "Change password" in Advanced User Details: inside the org's re-authentication
 * window (so the current password is not asked again), every other session ends.
 */
export async function changeOwnPassword(ctx: SteppedUp, password: string, now = new Date()): Promise<void> {
  requirePermission(ctx, "account:self");
  assertPasswordAllowed(password, { username: ctx.username, orgName: ctx.orgName });
  // Admitted like a login's password check: a flood of changes cannot starve logins.
  const passwordHash = await withPasswordCheck({ ip: ctx.request.ip, account: ctx.username, orgId: ctx.orgId }, () => hashPassword(password));
  await withEvents(async (tx) => {
    const user = await tx.user.findFirstOrThrow({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { email: true, name: true } });
    await replacePassword(tx, { id: ctx.userId, orgId: ctx.orgId }, passwordHash, now);
    await endSessionsAndPendingLogins(tx, { id: ctx.userId, orgId: ctx.orgId }, "password-changed", now, ctx.sessionId);
    await recordEvent(ctx, { type: "user.password.changed", user: { id: ctx.userId, name: user.name } }, tx);
    await notifyPasswordChanged(
      tx,
      { id: ctx.userId, orgId: ctx.orgId, name: user.name, email: user.email, orgName: ctx.orgName },
      "changed",
      ctx.request,
      now,
    );
  });
  wakeMailWorker();
}
