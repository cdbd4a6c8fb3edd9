import "server-only";
import { requireElevated, type Elevated } from "../auth/freshness";
import type { OrgContext } from "../auth/org-context";
import { actorOf, requirePermission, userIdOf, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { Role } from "../db/generated/client";
import { isUniqueViolation } from "../db/errors";
import { wakeMailWorker } from "../email/runner";
import { revokeTokensCreatedBy } from "../api-tokens/mutations";
import { recordEvent, withEvents } from "../events/record";
import { NotFoundError, UserFacingError } from "../errors";
import type { AddUserInput } from "../validation/account";
import { issueInvitation } from "./invitations";
import { endSessionsAndPendingLogins } from "./password-changes";
import { takeAddUserSlot } from "./usernames";

export const USERNAME_IN_USE = "Someone in your org already has this username.";

/**
 * An admin adds a user to their own org. The user has no password yet: the
 * "Set your password" email, queued in the same transaction, lets them choose one.
 */
export async function addUser(ctx: Principal, input: AddUserInput): Promise<{ userId: string }> {
  requirePermission(ctx, "users:write");
  // A new admin is a new way into the org: adding one needs the permission to grant it and, from a browser, a fresh "verify it's you".
  if (input.role === "ADMIN") {
    requirePermission(ctx, "users:grant-admin");
    requireElevated(ctx);
  }
  await takeAddUserSlot(ctx);
  // Only this org is asked: another org's users with the name neither block nor show here (lib/users/usernames.ts).
  const taken = await db().user.findUnique({ where: { orgId_username: { orgId: ctx.orgId, username: input.username } }, select: { id: true } });
  if (taken) throw new UserFacingError("Check the highlighted fields.", { username: USERNAME_IN_USE });

  try {
    const result = await withEvents(async (tx) => {
      const user = await tx.user.create({
        data: { orgId: ctx.orgId, username: input.username, email: input.email, name: input.name, role: input.role },
      });
      await issueInvitation(tx, { user, orgName: ctx.orgName, invitedBy: actorOf(ctx).name });
      await recordEvent(ctx, { type: "user.created", user, data: { role: user.role } }, tx);
      return { userId: user.id };
    });
    wakeMailWorker();
    return result;
  } catch (error) {
    if (isUniqueViolation(error, "username")) throw new UserFacingError("Check the highlighted fields.", { username: USERNAME_IN_USE });
    throw error;
  }
}

/** A fresh "Set your password" email for a user who has not set one yet; earlier links stop working. */
export async function resendInvitation(ctx: Principal, userId: string): Promise<void> {
  requirePermission(ctx, "users:write");
  const user = await db().user.findFirst({
    where: { id: userId, orgId: ctx.orgId },
    select: { id: true, orgId: true, name: true, username: true, email: true, isActive: true, passwordHash: true },
  });
  if (!user) throw new NotFoundError("That user");
  if (user.passwordHash !== null) throw new UserFacingError("This user has already set a password.");
  if (!user.isActive) throw new UserFacingError("Reactivate this user before inviting them again.");
  await withEvents(async (tx) => {
    await issueInvitation(tx, { user, orgName: ctx.orgName, invitedBy: actorOf(ctx).name });
    await recordEvent(ctx, { type: "user.invitation.sent", user, data: { email: user.email } }, tx);
  });
  wakeMailWorker();
}

/** The user ends one of their own sessions ("Log out" in Advanced User Details); another user's session is not found. */
export async function endOwnSession(ctx: OrgContext, sessionId: string): Promise<void> {
  requirePermission(ctx, "account:self");
  return endSessionOf(ctx, ctx.userId, sessionId);
}

/** An admin ends one session of a user of the org ("Log out" on the user's page). */
export async function revokeUserSession(ctx: Principal, sessionId: string): Promise<void> {
  requirePermission(ctx, "users:write");
  return endSessionOf(ctx, null, sessionId);
}

async function endSessionOf(ctx: Principal, onlyUserId: string | null, sessionId: string): Promise<void> {
  const session = await db().session.findFirst({
    where: { id: sessionId, orgId: ctx.orgId, revokedAt: null, ...(onlyUserId ? { userId: onlyUserId } : {}) },
    select: { id: true, userId: true, user: { select: { name: true, username: true } } },
  });
  if (!session) throw new NotFoundError("That session");
  await withEvents(async (tx) => {
    await tx.session.updateMany({
      where: { id: session.id, orgId: ctx.orgId, revokedAt: null },
      data: { revokedAt: new Date(), revokedReason: "revoked" },
    });
    await recordEvent(ctx, { type: "user.session.ended", user: { id: session.userId, ...session.user }, data: { reason: "ended-by-user-or-admin" } }, tx);
  });
}

/** An admin ends every session of a user of the org and every login of theirs still waiting for verification ("End sessions"). */
export async function endUserSessions(ctx: Principal, userId: string, now = new Date()): Promise<{ ended: number }> {
  requirePermission(ctx, "users:write");
  const user = await db().user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { id: true, orgId: true, name: true, username: true } });
  if (!user) throw new NotFoundError("That user");
  return withEvents(async (tx) => {
    const ended = await tx.session.count({ where: { userId: user.id, orgId: ctx.orgId, revokedAt: null } });
    await endSessionsAndPendingLogins(tx, user, "revoked", now);
    if (ended > 0) await recordEvent(ctx, { type: "user.session.ended", user, data: { reason: "ended-by-user-or-admin" } }, tx);
    return { ended };
  });
}

/** Deactivate or reactivate a user of the org. Deactivation ends their sessions at once. */
export async function setUserActive(ctx: Elevated, userId: string, active: boolean): Promise<void> {
  requirePermission(ctx, "users:write");
  if (userId === userIdOf(ctx) && !active) throw new UserFacingError("You can't deactivate yourself. Ask another admin.");
  const user = await db().user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { id: true, isActive: true, username: true } });
  if (!user) throw new NotFoundError("That user");
  if (user.isActive === active) return;
  await withEvents(async (tx) => {
    await tx.user.updateMany({ where: { id: userId, orgId: ctx.orgId }, data: { isActive: active } });
    if (!active) {
      await tx.session.updateMany({
        where: { userId, orgId: ctx.orgId, revokedAt: null },
        data: { revokedAt: new Date(), revokedReason: "user-deactivated" },
      });
      // For good: reactivating the user does not bring their API tokens back (they make new ones).
      await revokeTokensCreatedBy(userId, "creator-deactivated", tx, ctx);
    }
    await recordEvent(ctx, { type: active ? "user.reactivated" : "user.deactivated", user }, tx);
  });
}

/** An admin changes another user's role (own org only; audited). Admins cannot change their own role. */
export async function setUserRole(ctx: Elevated, userId: string, role: Role): Promise<void> {
  requirePermission(ctx, "users:grant-admin");
  if (userId === userIdOf(ctx)) throw new UserFacingError("You can't change your own role. Ask another admin.");
  const user = await db().user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { role: true } });
  if (!user) throw new NotFoundError("That user");
  if (user.role === role) return;
  await withEvents(async (tx) => {
    await tx.user.updateMany({ where: { id: userId, orgId: ctx.orgId }, data: { role } });
    // A token never outlives its creator's admin role: promoting them again does not bring it back.
    if (role !== "ADMIN") await revokeTokensCreatedBy(userId, "creator-demoted", tx, ctx);
    await recordEvent(ctx, { type: "user.role.changed", user: { id: userId }, data: { from: user.role, to: role } }, tx);
  });
}
