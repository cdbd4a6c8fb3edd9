import "server-only";
import { revokeTokensCreatedBy } from "../api-tokens/mutations";
import { recordEvent, SELF, withEvents } from "../events/record";
import { requirePermission, type Principal } from "../auth/principal";
import { hashToken } from "../crypto/tokens";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { EmailQuotaExceededError, enqueueEmail } from "../email/outbox";
import { wakeMailWorker } from "../email/runner";
import { env } from "../env";
import { UserFacingError } from "../errors";
import type { RequestInfo } from "../http/request-info";
import { effectivePolicy } from "../policy/effective";
import { suspendReportedFactors } from "./factor-suspension";
import { secondFactorCounts } from "../verification/second-factors";
import { endSessionsAndPendingLogins, replacePassword } from "./password-changes";
import { issuePasswordReset } from "./password-reset";
import { countOtherActiveAdmins, recoveryRouteOf, type RecoveryRoute } from "./recovery-route";

// "This wasn't me" (DESIGN.md section 10): the page behind the link of a
// security email (./wasnt-me-links.ts). Looking at it changes nothing; one
// confirmation, in one transaction, shuts the account and tells the admins.

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type CompromiseLinkProblem = "invalid" | "used" | "expired";

export const COMPROMISE_LINK_PROBLEMS: Record<CompromiseLinkProblem, { title: string; detail: string }> = {
  invalid: {
    title: "This link isn't valid",
    detail: "Check that you opened the whole link from the email. If your account still worries you, tell your Gatehouse admin.",
  },
  used: {
    title: "This report was already made",
    detail:
      "You were signed out everywhere, and either emailed a link to set a new password or told that your admin must recover your account. If a link expired, use “Forgot your password?” on the login page.",
  },
  expired: {
    title: "This link has expired",
    detail: "“This wasn't me” links work for 7 days. If your account still worries you, tell your Gatehouse admin right away.",
  },
};

export class CompromiseLinkError extends UserFacingError {
  override readonly status = 410;
  constructor(readonly problem: CompromiseLinkProblem) {
    super(COMPROMISE_LINK_PROBLEMS[problem].title);
    this.name = "CompromiseLinkError";
  }
}

/** A temporary code the email reported is voided: it is an admin's one-time code, not a factor of the user's. */
async function voidReportedTemporaryCode(tx: Prisma.TransactionClient, r: FoundReport): Promise<string | null> {
  if (r.event !== "temporary-code-issued" || !r.subjectId) return null;
  const { count } = await tx.temporaryCode.deleteMany({ where: { id: r.subjectId, userId: r.userId, orgId: r.orgId, usedAt: null } });
  return count ? "voided the temporary code" : null;
}

const RECOVERY_CODE_KEPT = "The temporary code was issued for admin recovery and stays valid: check with the user before they use it.";

/** Who recovers the account after a report: the user themself (an emailed reset link), another admin, or the operator. */
export type CompromiseRecovery = "self-service" | RecoveryRoute;

async function findReport(token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  return db().compromiseReport.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      orgId: true,
      userId: true,
      event: true,
      subjectId: true,
      summary: true,
      createdAt: true,
      expiresAt: true,
      confirmedAt: true,
      user: { select: { name: true, username: true, email: true, isActive: true, role: true, adminRecoveryRequiredAt: true } },
      org: { select: { name: true, settings: true } },
    },
  });
}
type FoundReport = NonNullable<Awaited<ReturnType<typeof findReport>>>;

function problemOf(found: FoundReport | null, now: Date): CompromiseLinkProblem | null {
  if (!found) return "invalid";
  if (found.confirmedAt) return "used";
  if (found.expiresAt.getTime() <= now.getTime()) return "expired";
  return null;
}

export type CompromiseLinkStatus =
  { ok: true; summary: string; reportedAt: Date; name: string; username: string; orgName: string } | { ok: false; problem: CompromiseLinkProblem };

/** What the page shows for a link. Reads only: a GET (a mail scanner opening the link) changes nothing. */
export async function inspectCompromiseLink(token: string, now = new Date()): Promise<CompromiseLinkStatus> {
  const found = await findReport(token);
  const problem = problemOf(found, now);
  if (problem || !found) return { ok: false, problem: problem ?? "invalid" };
  return { ok: true, summary: found.summary, reportedAt: found.createdAt, name: found.user.name, username: found.user.username, orgName: found.org.name };
}

/**
 * The confirmation click, all in one transaction: the link is used up; every
 * session, pending login and activated browser of the user ends; the old
 * password stops working; what the email reported, and every factor added
 * since an older factor last verified the user, is suspended (never deleted:
 * the clicker may hold only the mailbox); every active admin is emailed; the
 * histories and the audit trail record it. A reset link is emailed only when
 * the user keeps a usable second factor (or never had one) and the org does
 * not require MFA; otherwise the account waits for an admin ("Admin recovery
 * required"), or the operator when the user is the org's only active admin.
 * Of two clicks racing, exactly one does this.
 */
export async function confirmCompromiseLink(
  token: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ resetEmailed: boolean; recovery: CompromiseRecovery }> {
  const found = await findReport(token);
  const problem = problemOf(found, now);
  if (problem || !found) throw new CompromiseLinkError(problem ?? "invalid");
  const owner = { id: found.userId, orgId: found.orgId };
  const policy = effectivePolicy(found.org.settings, found.user.role);

  const result = await withEvents(async (tx) => {
    const consumed = await tx.compromiseReport.updateMany({
      where: { id: found.id, orgId: found.orgId, confirmedAt: null, expiresAt: { gt: now } },
      data: { confirmedAt: now, confirmedIp: request.ip },
    });
    if (consumed.count !== 1) throw new CompromiseLinkError("used");

    // The temporary code (and set-password link) an admin or the operator issued to recover an account already
    // in admin recovery stays: its email goes to the mailbox that may be the stolen one, and voiding it there
    // would let whoever reads that mailbox block the recovery for ever. Admins are still told, below.
    const recoveryCode =
      found.event === "temporary-code-issued" &&
      found.user.adminRecoveryRequiredAt !== null &&
      found.user.adminRecoveryRequiredAt.getTime() <= found.createdAt.getTime();
    // The old password stops working and every set-password link with it: the one helper every password change uses.
    if (!recoveryCode) await replacePassword(tx, owner, null, now);
    await endSessionsAndPendingLogins(tx, owner, "compromise-reported", now);
    // Whoever holds the account may have made API tokens with it: they stop working with the sessions.
    await revokeTokensCreatedBy(owner.id, "creator-contained", tx, { orgId: owner.orgId, actor: SELF, request }, now);
    await tx.activatedDevice.updateMany({ where: { userId: owner.id, orgId: owner.orgId, revokedAt: null }, data: { revokedAt: now, revokedBy: "user" } });
    const suspended = await suspendReportedFactors(tx, found, now);
    const voided = recoveryCode ? null : await voidReportedTemporaryCode(tx, found);

    const factors = await secondFactorCounts({ userId: owner.id, orgId: owner.orgId }, policy, tx);
    const needsAdmin = policy.requireMfa || (factors.registered > 0 && factors.usable === 0);
    const recovery: CompromiseRecovery = needsAdmin
      ? recoveryRouteOf(await countOtherActiveAdmins({ userId: owner.id, orgId: owner.orgId }, tx))
      : "self-service";
    if (needsAdmin) await tx.user.updateMany({ where: { id: owner.id, orgId: owner.orgId }, data: { adminRecoveryRequiredAt: now } });

    const changes = [
      suspended.length > 0 ? `Gatehouse suspended: ${suspended.map((f) => f.label).join(", ")}.` : null,
      voided ? `Gatehouse ${voided}.` : null,
      recoveryCode ? RECOVERY_CODE_KEPT : null,
      needsAdmin ? "Admin recovery required." : null,
    ].filter(Boolean);
    const what = [found.summary, ...changes].join(" ");

    const admins = await tx.user.findMany({ where: { orgId: owner.orgId, role: "ADMIN", isActive: true }, select: { email: true, name: true } });
    for (const admin of admins) {
      await enqueueEmail(tx, {
        orgId: owner.orgId,
        to: admin.email,
        template: "compromise-reported-admin",
        data: {
          name: admin.name,
          orgName: found.org.name,
          userName: found.user.name,
          username: found.user.username,
          what: recoveryCode ? `${found.summary} ${RECOVERY_CODE_KEPT}` : found.summary,
          suspended: suspended.map((f) => f.label),
          adminRecovery: needsAdmin,
          byOperator: recovery === "operator",
          at: now,
          ip: request.ip,
          userLink: `${env().APP_URL.replace(/\/+$/, "")}/setup/users/${owner.id}`,
        },
      });
    }
    // The link went to the user's own mailbox: whoever followed it acts as the user.
    const user = { id: owner.id, name: found.user.name, username: found.user.username };
    await recordEvent({ orgId: owner.orgId, actor: SELF, request }, { type: "user.compromise.reported", user, data: { what } }, tx);
    if (needsAdmin || !found.user.isActive) return { resetEmailed: false, recovery };
    try {
      const recipient = { ...owner, name: found.user.name, username: found.user.username, email: found.user.email, orgName: found.org.name };
      await issuePasswordReset(tx, recipient, "compromise", now);
      return { resetEmailed: true, recovery };
    } catch (error) {
      // The quota is checked before anything is written: containment must not wait for it.
      if (error instanceof EmailQuotaExceededError) return { resetEmailed: false, recovery };
      throw error;
    }
  });
  wakeMailWorker();
  return result;
}

/** The user's confirmed "This wasn't me" reports, newest first: highlighted on their page for admins. */
export async function listCompromiseReports(ctx: Principal, userId: string) {
  requirePermission(ctx, "setup:read");
  return db().compromiseReport.findMany({
    where: { orgId: ctx.orgId, userId, confirmedAt: { not: null } },
    select: { id: true, summary: true, confirmedAt: true, confirmedIp: true },
    orderBy: { confirmedAt: "desc" },
    take: 10,
  });
}
