import "server-only";
import { recordEvent, withEvents } from "../events/record";
import type { Elevated } from "../auth/freshness";
import type { PendingLoginSubject, UserSubject } from "../auth/org-context";
import { actorOf, requirePermission, userIdOf } from "../auth/principal";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import { db } from "../db/client";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { RateLimitedError, UserFacingError, NotFoundError } from "../errors";
import { codeHashCandidates, storedCodeHash } from "../crypto/code-hash";
import { randomCode } from "./codes";

// Temporary verification codes (DESIGN.md 5.6): an admin who just proved it
// is them issues one for a user who lost their methods. Single use, valid 1–24
// hours, shown once to the admin, usable on /verify only by that user; a new
// one replaces an unused one. Audited; the user is emailed.

export const TEMPORARY_CODE_HOURS = { min: 1, max: 24 } as const;
export const TEMPORARY_CODE_LIMIT: RateLimitRule = { limit: 3, windowSeconds: 60 * 60 };

export async function issueTemporaryCode(ctx: Elevated, userId: string, hours: number, now = new Date()): Promise<{ code: string; expiresAt: Date }> {
  requirePermission(ctx, "codes:issue");
  if (!Number.isInteger(hours) || hours < TEMPORARY_CODE_HOURS.min || hours > TEMPORARY_CODE_HOURS.max) {
    throw new UserFacingError("Choose a validity from 1 to 24 hours.", { hours: "Choose 1 to 24 hours." });
  }
  const user = await db().user.findFirst({
    where: { id: userId, orgId: ctx.orgId },
    select: { id: true, username: true, email: true, name: true, isActive: true },
  });
  if (!user) throw new NotFoundError("That user");
  // A code for yourself would let one admin skip their own second factor.
  if (user.id === userIdOf(ctx)) throw new UserFacingError("You can't issue a temporary code to yourself. Ask another admin.");
  if (!user.isActive) throw new UserFacingError("This user is deactivated. Reactivate them first.");
  const limitKey = `temporary-code:user:${user.id}`;
  const wait = secondsOverLimit(await hitRateLimit(limitKey, TEMPORARY_CODE_LIMIT, now), TEMPORARY_CODE_LIMIT, now);
  if (wait > 0) throw new RateLimitedError(wait);

  const code = randomCode(3, 4);
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  await withEvents(async (tx) => {
    await tx.temporaryCode.deleteMany({ where: { userId: user.id, orgId: ctx.orgId, usedAt: null } });
    const issued = await tx.temporaryCode.create({
      data: {
        orgId: ctx.orgId,
        userId: user.id,
        ...storedCodeHash(user.id, code),
        issuedById: userIdOf(ctx),
        issuedByName: actorOf(ctx).name,
        expiresAt,
        createdAt: now,
      },
    });
    await recordEvent(
      ctx,
      {
        type: "user.temporary_code.issued",
        user: { id: user.id, name: user.name, username: user.username },
        data: { codeId: issued.id, hours, expiresAt, byOperator: false, withSetPasswordLink: false },
      },
      tx,
    );
    await enqueueSecurityEmail(tx, {
      orgId: ctx.orgId,
      userId: user.id,
      to: user.email,
      template: "temporary-code-issued",
      summary: `${actorOf(ctx).name}, an admin, issued you a temporary verification code.`,
      subjectId: issued.id,
      data: { name: user.name, orgName: ctx.orgName, issuedBy: actorOf(ctx).name, expiresAt },
    });
  });
  return { code, expiresAt };
}

/** True when this user has an unused, unexpired temporary code. */
export async function hasTemporaryCode(owner: UserSubject, now = new Date()): Promise<boolean> {
  return (await db().temporaryCode.count({ where: { userId: owner.userId, orgId: owner.orgId, usedAt: null, expiresAt: { gt: now } } })) > 0;
}

/** Uses this user's temporary code, atomically and once; another user's code does nothing. */
export async function consumeTemporaryCode(owner: PendingLoginSubject, code: string, now = new Date()): Promise<boolean> {
  const { count } = await db().temporaryCode.updateMany({
    where: { OR: codeHashCandidates(owner.userId, code), userId: owner.userId, orgId: owner.orgId, usedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  return count === 1;
}
