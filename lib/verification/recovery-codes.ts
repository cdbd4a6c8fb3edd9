import "server-only";
import type { PendingLoginSubject, UserSubject } from "../auth/org-context";
import type { Elevated, SteppedUp } from "../auth/freshness";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { env } from "../env";
import { NotFoundError } from "../errors";
import { describeBrowser } from "../http/request-info";
import { codeHashCandidates, storedCodeHash } from "../crypto/code-hash";
import { randomCode } from "./codes";
import { recordEvent, withEvents } from "../events/record";

// Recovery codes (DESIGN.md section 4): 10 codes of 60 random bits, shown once,
// stored hashed, each usable once; generating a new set deletes the old one.

export const RECOVERY_CODE_COUNT = 10;

/** A new set of codes for the signed-in user (after re-authentication); the old set stops working. Emails the user. */
export async function generateRecoveryCodes(ctx: SteppedUp, now = new Date()): Promise<string[]> {
  const { request } = ctx;
  requirePermission(ctx, "account:self");
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomCode(3, 4));
  await withEvents(async (tx) => {
    const replaced = await tx.recoveryCode.deleteMany({ where: { userId: ctx.userId, orgId: ctx.orgId } });
    await tx.recoveryCode.createMany({
      data: codes.map((code) => ({ orgId: ctx.orgId, userId: ctx.userId, ...storedCodeHash(ctx.userId, code), createdAt: now })),
    });
    await recordEvent(ctx, { type: "user.recovery_codes.generated", user: { id: ctx.userId, name: ctx.userName }, data: { replaced: replaced.count > 0 } }, tx);
    const user = await tx.user.findFirstOrThrow({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { email: true, name: true } });
    await enqueueSecurityEmail(tx, {
      orgId: ctx.orgId,
      userId: ctx.userId,
      to: user.email,
      template: "recovery-codes-generated",
      summary: "A new set of recovery codes was generated for your account.",
      data: {
        name: user.name,
        orgName: ctx.orgName,
        at: now,
        ip: request.ip,
        browser: describeBrowser(request.userAgent),
        manageLink: `${env().APP_URL}/settings/advanced`,
      },
    });
  });
  return codes;
}

/** The subject's own unused recovery codes that a report did not suspend. */
export function countRecoveryCodesLeft(owner: UserSubject): Promise<number> {
  return db().recoveryCode.count({ where: { userId: owner.userId, orgId: owner.orgId, usedAt: null, suspendedAt: null } });
}

/** A user's unused recovery codes, for an admin of their org (another org's user has none). */
export function countUserRecoveryCodesLeft(ctx: Principal, userId: string): Promise<number> {
  requirePermission(ctx, "setup:read");
  return db().recoveryCode.count({ where: { userId, orgId: ctx.orgId, usedAt: null } });
}

/** Uses one code of this user, atomically: of two concurrent uses exactly one succeeds. Suspended codes, and any code of an account awaiting admin recovery, never work. */
export async function consumeRecoveryCode(owner: PendingLoginSubject, code: string, now = new Date()): Promise<boolean> {
  const { count } = await db().recoveryCode.updateMany({
    where: {
      OR: codeHashCandidates(owner.userId, code),
      userId: owner.userId,
      orgId: owner.orgId,
      usedAt: null,
      suspendedAt: null,
      user: { adminRecoveryRequiredAt: null },
    },
    data: { usedAt: now },
  });
  return count === 1;
}

/** An admin invalidates a user's recovery codes (own org only; audited). */
export async function invalidateRecoveryCodes(ctx: Elevated, userId: string): Promise<number> {
  requirePermission(ctx, "factors:manage");
  return withEvents(async (tx) => {
    const user = await tx.user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { name: true, username: true } });
    if (!user) throw new NotFoundError("That user");
    const { count } = await tx.recoveryCode.deleteMany({ where: { userId, orgId: ctx.orgId } });
    await recordEvent(ctx, { type: "user.recovery_codes.invalidated", user: { id: userId, name: user.name, username: user.username }, data: { count } }, tx);
    return count;
  });
}
