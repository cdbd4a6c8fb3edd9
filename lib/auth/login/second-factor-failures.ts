import "server-only";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import { UserFacingError } from "../../errors";
import { describeBrowser, type RequestInfo } from "../../http/request-info";
import { enqueueSecurityEmail } from "../../users/wasnt-me-links";
import type { PendingLoginSubject } from "../org-context";
import { hitRateLimit, type RateLimitRule } from "../rate-limit";

// Whoever has the password gets 10 code guesses per 15 minutes at /verify
// (VERIFY_LIMIT); over months that adds up. So every failed code also counts
// towards a per-user total that only a successful verification resets: at
// SECOND_FACTOR_LOCK_AT the codes stop working for any browser not activated
// for the user. A known browser (DESIGN.md section 9) keeps working, so does a
// security key (its signature cannot be guessed), and an admin's temporary code
// is the way back in. The user is emailed after 10 failures in a day, and when
// the step locks.

export const SECOND_FACTOR_LOCK_AT = 100;
export const SECOND_FACTOR_ALERT_AFTER = 10;
/** Failures per user in a day; the alert goes out when a day's count reaches its limit, so once a day. */
const FAILURES_TODAY: RateLimitRule = { limit: SECOND_FACTOR_ALERT_AFTER, windowSeconds: 24 * 60 * 60 };

const failuresTodayKey = (userId: string) => `verify:failures-today:user:${userId}`;

export class SecondFactorLockedError extends UserFacingError {
  override readonly status = 423;
  readonly code = "second-factor-locked";
  constructor() {
    super(
      "Too many failed verifications: this browser can't verify with a code any more. Use a browser you activated before, or ask an admin of your org for a temporary verification code.",
    );
    this.name = "SecondFactorLockedError";
  }
}

/** Whether codes are locked for this pending login: its browser is not activated for the user and the failures reached the lock. */
export function isLockedFor(pending: PendingLoginSubject, failures: number): boolean {
  return !pending.fromKnownDevice && failures >= SECOND_FACTOR_LOCK_AT;
}

/** Refuses a code (other than an admin's temporary code) on a locked step, before anything is counted. */
export async function refuseWhenLocked(pending: PendingLoginSubject): Promise<void> {
  if (pending.fromKnownDevice) return;
  const user = await db().user.findFirst({ where: { id: pending.userId, orgId: pending.orgId }, select: { secondFactorFailures: true } });
  if (user && isLockedFor(pending, user.secondFactorFailures)) throw new SecondFactorLockedError();
}

/** Counts a failed code towards the user's total and today's; emails the user at 10 today and when the step locks. */
export async function countSecondFactorFailure(pending: PendingLoginSubject, request: RequestInfo, now: Date): Promise<void> {
  const { secondFactorFailures: failures } = await db().user.update({
    where: { id: pending.userId, orgId: pending.orgId },
    data: { secondFactorFailures: { increment: 1 } },
    select: { secondFactorFailures: true },
  });
  const today = await hitRateLimit(failuresTodayKey(pending.userId), FAILURES_TODAY, now);
  // Each is true for exactly one failure: the increments are atomic.
  const locked = failures === SECOND_FACTOR_LOCK_AT;
  if (!locked && today.count !== SECOND_FACTOR_ALERT_AFTER) return;
  await db().$transaction(async (tx) => {
    const user = await tx.user.findFirstOrThrow({ where: { id: pending.userId, orgId: pending.orgId }, include: { org: true } });
    await enqueueSecurityEmail(
      tx,
      {
        orgId: pending.orgId,
        userId: pending.userId,
        to: user.email,
        template: "second-factor-failures",
        summary: `${failures} failed verifications after a correct password${locked ? "; verification locked for new browsers" : ""} (latest from IP address ${request.ip ?? "unknown"}).`,
        data: { name: user.name, orgName: user.org.name, failures, locked, at: now, ip: request.ip, browser: describeBrowser(request.userAgent) },
      },
      now,
    );
  });
}

/** A success: the count starts again. */
export async function resetSecondFactorFailures(tx: Prisma.TransactionClient, pending: PendingLoginSubject): Promise<void> {
  await tx.user.updateMany({ where: { id: pending.userId, orgId: pending.orgId, secondFactorFailures: { gt: 0 } }, data: { secondFactorFailures: 0 } });
}

/** Tells the user a browser was activated for them, in the activation's transaction. */
export async function notifyNewDevice(tx: Prisma.TransactionClient, pending: PendingLoginSubject, method: string, request: RequestInfo, now: Date) {
  const user = await tx.user.findFirstOrThrow({ where: { id: pending.userId, orgId: pending.orgId }, include: { org: true } });
  const browser = describeBrowser(request.userAgent);
  await enqueueSecurityEmail(
    tx,
    {
      orgId: pending.orgId,
      userId: pending.userId,
      to: user.email,
      template: "new-device-activated",
      summary: `A new browser (${browser}, IP address ${request.ip ?? "unknown"}) was activated for your account with: ${method}.`,
      data: { name: user.name, orgName: user.org.name, method, at: now, ip: request.ip, browser },
    },
    now,
  );
}
