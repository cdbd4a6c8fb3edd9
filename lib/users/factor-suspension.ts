import "server-only";
import type { Prisma } from "../db/generated/client";
import { COUNTED_APP } from "../verification/second-factors";

// What a confirmed "This wasn't me" report suspends (DESIGN.md section 10). A
// link never deletes a factor: whoever clicked it may hold only the mailbox,
// and the factor may be the real user's. A suspended factor still counts as a
// second factor, so the next login fails closed, but it verifies nothing until
// an admin restores it (lib/users/admin-recovery.ts).

export type SuspendedFactorKind = "security-key" | "authenticator-app" | "recovery-codes";

export interface SuspendedFactor {
  kind: SuspendedFactorKind;
  /** The key's or app's id; for recovery codes, the user's id (the set is one factor). */
  id: string;
  /** As admins read it: "Security key “YubiKey 5”", "Authenticator app", "Recovery codes (8 unused)". */
  label: string;
}

export const FACTOR_NAMES: Record<SuspendedFactorKind, string> = {
  "security-key": "security key",
  "authenticator-app": "authenticator app",
  "recovery-codes": "recovery codes",
};

type Tx = Prisma.TransactionClient;

export interface ReportedChange {
  orgId: string;
  userId: string;
  /** The email template that reported it. */
  event: string;
  subjectId: string | null;
  createdAt: Date;
}

const APP_STEP_MS = 30_000;

/**
 * The last time a factor older than the report, and not itself suspended,
 * verified the user (at login or "verify it's you"); null when none ever did.
 * What was added after that, nobody but its adder has vouched for.
 */
async function lastVerifiedByOlderFactor(tx: Tx, r: ReportedChange): Promise<Date | null> {
  const owner = { userId: r.userId, orgId: r.orgId, suspendedAt: null, createdAt: { lt: r.createdAt } };
  const notReported = r.subjectId ? { id: { not: r.subjectId } } : {};
  const key = await tx.securityKey.aggregate({ where: { ...owner, ...notReported, flaggedAt: null }, _max: { lastUsedAt: true } });
  const app = await tx.authenticatorApp.findFirst({
    where: { ...owner, ...notReported, ...COUNTED_APP },
    select: { lastUsedStep: true, confirmedAt: true },
  });
  const appUse = app?.lastUsedStep != null ? Number(app.lastUsedStep) * APP_STEP_MS : null;
  // Connecting the app used a code (its step, up to one step ahead): only a later step is a verification.
  const appVerified = appUse !== null && app?.confirmedAt && appUse > app.confirmedAt.getTime() + APP_STEP_MS ? new Date(appUse) : null;
  const code = await tx.recoveryCode.aggregate({ where: owner, _max: { usedAt: true } });
  const uses = [key._max.lastUsedAt, appVerified, code._max.usedAt];
  const times = uses.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

/**
 * Suspends, in the caller's transaction, what the report names and every
 * factor added since an older factor last verified the user. Returns what it
 * suspended.
 */
export async function suspendReportedFactors(tx: Tx, r: ReportedChange, now: Date): Promise<SuspendedFactor[]> {
  const since = (await lastVerifiedByOlderFactor(tx, r)) ?? new Date(0);
  const owner = { userId: r.userId, orgId: r.orgId, suspendedAt: null };
  const reported = (event: string) => (r.event === event && r.subjectId ? [{ id: r.subjectId }] : []);

  const keys = await tx.securityKey.findMany({
    where: { ...owner, OR: [...reported("security-key-registered"), { createdAt: { gt: since } }] },
    select: { id: true, name: true },
    orderBy: { createdAt: "asc" },
  });
  const apps = await tx.authenticatorApp.findMany({
    where: { ...owner, ...COUNTED_APP, OR: [...reported("authenticator-app-connected"), { createdAt: { gt: since } }] },
    select: { id: true },
  });
  // Generating a set replaces the old one: the set a "recovery codes generated" email reported is the current one (or a newer).
  const codes = await tx.recoveryCode.count({
    where: { ...owner, usedAt: null, ...(r.event === "recovery-codes-generated" ? {} : { createdAt: { gt: since } }) },
  });

  const suspended: SuspendedFactor[] = [];
  if (keys.length > 0) {
    await tx.securityKey.updateMany({ where: { id: { in: keys.map((k) => k.id) }, orgId: r.orgId }, data: { suspendedAt: now } });
    suspended.push(...keys.map((k) => ({ kind: "security-key" as const, id: k.id, label: `Security key “${k.name}”` })));
  }
  if (apps.length > 0) {
    await tx.authenticatorApp.updateMany({ where: { id: { in: apps.map((a) => a.id) }, orgId: r.orgId }, data: { suspendedAt: now } });
    suspended.push(...apps.map((a) => ({ kind: "authenticator-app" as const, id: a.id, label: "Authenticator app" })));
  }
  if (codes > 0) {
    await tx.recoveryCode.updateMany({
      where: { ...owner, usedAt: null, ...(r.event === "recovery-codes-generated" ? {} : { createdAt: { gt: since } }) },
      data: { suspendedAt: now },
    });
    suspended.push({ kind: "recovery-codes", id: r.userId, label: `Recovery codes (${codes} unused)` });
  }
  return suspended;
}
