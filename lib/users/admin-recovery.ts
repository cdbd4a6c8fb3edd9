import "server-only";
import { recordEvent, withEvents } from "../events/record";
import type { TargetCredential } from "../events/types";
import type { Elevated } from "../auth/freshness";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { NotFoundError } from "../errors";
import { FACTOR_NAMES, type SuspendedFactor, type SuspendedFactorKind } from "./factor-suspension";
import { countOtherActiveAdmins, recoveryRouteOf, type RecoveryRoute } from "./recovery-route";

// An admin's side of "Admin recovery required" (DESIGN.md section 10): the
// user's page in Setup lists what a "This wasn't me" report suspended, and the
// admin restores or removes each one (after "verify it's you", audited), then
// issues a temporary code for the user's next login.

export interface AdminRecoveryView {
  /** The account waits for an admin: only a temporary code verifies its next login. */
  required: boolean;
  since: Date | null;
  /** Who can do it: another admin, or (for the org's only active admin) the operator. */
  by: RecoveryRoute;
  factors: (SuspendedFactor & { suspendedAt: Date })[];
}

/** A user's recovery state and suspended factors, for an admin of their org; null for a user of another org. */
export async function adminRecoveryOf(ctx: Principal, userId: string): Promise<AdminRecoveryView | null> {
  requirePermission(ctx, "setup:read");
  const user = await db().user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { id: true, adminRecoveryRequiredAt: true } });
  if (!user) return null;
  const owner = { userId, orgId: ctx.orgId, suspendedAt: { not: null } };
  const [keys, app, codes, otherAdmins] = await Promise.all([
    db().securityKey.findMany({ where: owner, select: { id: true, name: true, suspendedAt: true }, orderBy: { createdAt: "asc" } }),
    db().authenticatorApp.findFirst({ where: owner, select: { id: true, suspendedAt: true } }),
    db().recoveryCode.findMany({ where: { ...owner, usedAt: null }, select: { suspendedAt: true } }),
    countOtherActiveAdmins({ userId, orgId: ctx.orgId }),
  ]);
  const factors: AdminRecoveryView["factors"] = keys.map((k) => ({
    kind: "security-key",
    id: k.id,
    label: `Security key “${k.name}”`,
    suspendedAt: k.suspendedAt!,
  }));
  if (app) factors.push({ kind: "authenticator-app", id: app.id, label: "Authenticator app", suspendedAt: app.suspendedAt! });
  if (codes.length > 0)
    factors.push({ kind: "recovery-codes", id: userId, label: `Recovery codes (${codes.length} unused)`, suspendedAt: codes[0]!.suspendedAt! });
  return { required: user.adminRecoveryRequiredAt !== null, since: user.adminRecoveryRequiredAt, by: recoveryRouteOf(otherAdmins), factors };
}

export interface FactorRef {
  kind: SuspendedFactorKind;
  id: string;
}

type Tx = Prisma.TransactionClient;

/** Restores (the factor works again) or removes one suspended factor of a user; NotFoundError when it is not a suspended factor of theirs. */
async function settleFactor(
  tx: Tx,
  ctx: Elevated,
  userId: string,
  factor: FactorRef,
  restore: boolean,
): Promise<{ name: string; credential?: TargetCredential }> {
  const where = { userId, orgId: ctx.orgId, suspendedAt: { not: null } };
  const missing = () => new NotFoundError(`That suspended ${FACTOR_NAMES[factor.kind]}`);
  if (factor.kind === "security-key") {
    const key = await tx.securityKey.findFirst({ where: { ...where, id: factor.id }, select: { name: true, aaguid: true, modelProven: true } });
    if (!key) throw missing();
    const { count } = restore
      ? await tx.securityKey.updateMany({ where: { ...where, id: factor.id }, data: { suspendedAt: null } })
      : await tx.securityKey.deleteMany({ where: { ...where, id: factor.id } });
    if (count !== 1) throw missing();
    return { name: key.name, credential: { id: factor.id, name: key.name, aaguid: key.aaguid, modelVerified: key.modelProven } };
  }
  if (factor.kind === "authenticator-app") {
    const { count } = restore
      ? await tx.authenticatorApp.updateMany({ where: { ...where, id: factor.id }, data: { suspendedAt: null } })
      : await tx.authenticatorApp.deleteMany({ where: { ...where, id: factor.id } });
    if (count !== 1) throw missing();
    return { name: "Authenticator app", credential: { id: factor.id, name: "Authenticator app" } };
  }
  if (factor.id !== userId) throw missing();
  const { count } = restore
    ? await tx.recoveryCode.updateMany({ where: { ...where, usedAt: null }, data: { suspendedAt: null } })
    : await tx.recoveryCode.deleteMany({ where });
  if (count === 0) throw missing();
  return { name: `${count} recovery codes` };
}

async function settle(ctx: Elevated, userId: string, factor: FactorRef, restore: boolean): Promise<void> {
  const user = await db().user.findFirst({ where: { id: userId, orgId: ctx.orgId }, select: { id: true, name: true, username: true } });
  if (!user) throw new NotFoundError("That user");
  requirePermission(ctx, "factors:manage");
  await withEvents(async (tx) => {
    const { name, credential } = await settleFactor(tx, ctx, userId, factor, restore);
    const type = restore ? "user.suspended_factor.restored" : "user.suspended_factor.removed";
    await recordEvent(ctx, { type, user, ...(credential ? { credential } : {}), data: { factor: factor.kind, name } }, tx);
  });
}

/** An admin restores a suspended factor after confirming with the user that it is theirs (after "verify it's you"; audited). */
export function restoreSuspendedFactor(ctx: Elevated, userId: string, factor: FactorRef): Promise<void> {
  return settle(ctx, userId, factor, true);
}

/** An admin removes a suspended factor the user doesn't recognise (after "verify it's you"; audited). */
export function removeSuspendedFactor(ctx: Elevated, userId: string, factor: FactorRef): Promise<void> {
  return settle(ctx, userId, factor, false);
}
