import "server-only";
import { recordAudit } from "../audit/mutations";
import type { AdminContext, OrgContext, PendingLoginSubject, UserSubject } from "../auth/org-context";
import { requireFreshAuth } from "../auth/freshness";
import { db } from "../db/client";
import { enqueueSecurityEmail } from "../users/wasnt-me-links";
import { env } from "../env";
import { NotFoundError } from "../errors";
import { describeBrowser } from "../http/request-info";
import { codeHashCandidates, storedCodeHash } from "../crypto/code-hash";
import { randomCode } from "./codes";
import { recordVerification } from "./history";

// Recovery codes (DESIGN.md section 4): 10 codes of 60 random bits, shown once,
// stored hashed, each usable once; generating a new set deletes the old one.

export const RECOVERY_CODE_COUNT = 10;

/** A new set of codes for the signed-in user (after re-authentication); the old set stops working. Emails the user. */
export async function generateRecoveryCodes(ctx: OrgContext, now = new Date()): Promise<string[]> {
  const { request } = ctx;
  await requireFreshAuth(ctx, now);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => randomCode(3, 4));
  await db().$transaction(async (tx) => {
    const replaced = await tx.recoveryCode.deleteMany({ where: { userId: ctx.userId, orgId: ctx.orgId } });
    await tx.recoveryCode.createMany({
      data: codes.map((code) => ({ orgId: ctx.orgId, userId: ctx.userId, ...storedCodeHash(ctx.userId, code), createdAt: now })),
    });
    await recordVerification(
      {
        orgId: ctx.orgId,
        userId: ctx.userId,
        method: "Recovery code",
        activity: "Generate recovery codes",
        result: "Succeeded",
        detail: replaced.count > 0 ? "Replaced the previous set" : undefined,
        request,
      },
      tx,
    );
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
export function countUserRecoveryCodesLeft(ctx: AdminContext, userId: string): Promise<number> {
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
export async function invalidateRecoveryCodes(ctx: AdminContext, userId: string): Promise<number> {
  const { request } = ctx;
  await requireFreshAuth(ctx);
  return db().$transaction(async (tx) => {
    const user = await tx.user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { username: true } });
    if (!user) throw new NotFoundError("That user");
    const { count } = await tx.recoveryCode.deleteMany({ where: { userId, orgId: ctx.orgId } });
    await recordAudit(
      {
        orgId: ctx.orgId,
        actor: { id: ctx.userId, name: ctx.userName },
        action: "Invalidated recovery codes",
        section: "Users",
        targetId: userId,
        newValue: `${user.username}: ${count} codes`,
        request,
      },
      tx,
    );
    return count;
  });
}
