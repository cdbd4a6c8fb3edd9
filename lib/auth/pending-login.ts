import "server-only";
import { db } from "../db/client";
import { sweepOccasionally } from "../db/sweep";
import type { PendingLogin } from "../db/generated/client";
import { policyFromRow } from "../policy/rules";
import type { PasswordCheckedUser, PendingLoginSubject } from "./org-context";
import { cookieName } from "./cookies";
import { UserFacingError } from "../errors";
import type { RequestInfo } from "../http/request-info";
import { hashToken, randomToken } from "../crypto/tokens";
import { createSession } from "./session";

// The pending login (DESIGN.md section 5): after a correct password, when a
// second factor or device activation is needed, the browser holds only this,
// named by an httpOnly cookie. It opens no app page. A successful verification
// marks it verified; the session is then created from it exactly once, with a
// new id. It lapses after 10 minutes or 5 failed verification attempts.

export const PENDING_LOGIN_TTL_MS = 10 * 60_000;
export const MAX_FAILED_VERIFICATIONS = 5;

export const LOGIN_EXPIRED = "Your login expired. Log in again.";

export class LoginExpiredError extends UserFacingError {
  override readonly status = 401;
  readonly code = "login-expired";
  constructor(message = LOGIN_EXPIRED) {
    super(message);
    this.name = "LoginExpiredError";
  }
}

export function pendingLoginCookieName(): string {
  return cookieName("pending-login");
}

export interface Needs {
  secondFactor: boolean;
  deviceActivation: boolean;
}

export const needsVerification = (needs: Needs) => needs.secondFactor || needs.deviceActivation;

/** A new pending login; verified at once when nothing is needed. Returns its cookie token. */
export async function createPendingLogin(
  user: PasswordCheckedUser,
  needs: Needs,
  request: RequestInfo,
  now = new Date(),
  verifiedMethod = "Password",
): Promise<string> {
  const token = randomToken();
  const verified = !needsVerification(needs);
  await db().pendingLogin.create({
    data: {
      tokenHash: hashToken(token),
      orgId: user.orgId,
      userId: user.userId,
      ip: request.ip,
      userAgent: request.userAgent,
      needsSecondFactor: needs.secondFactor,
      needsDeviceActivation: needs.deviceActivation,
      verifiedAt: verified ? now : null,
      verifiedMethod: verified ? verifiedMethod : null,
      expiresAt: new Date(now.getTime() + PENDING_LOGIN_TTL_MS),
      createdAt: now,
    },
  });
  // Lapsed rows are worthless; sweeping here keeps the table small without a job.
  await sweepOccasionally("PendingLogin", () => db().pendingLogin.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3_600_000) } } }));
  return token;
}

/**
 * The live (unexpired, unused, not locked) pending login a cookie names, as the
 * subject /verify works with (with its org's policy), or null.
 */
export async function findPendingLogin(token: string | null | undefined, now = new Date()): Promise<PendingLoginSubject | null> {
  if (!token) return null;
  const row = await db().pendingLogin.findFirst({
    where: { tokenHash: hashToken(token), completedAt: null, expiresAt: { gt: now }, failedAttempts: { lt: MAX_FAILED_VERIFICATIONS } },
    include: { org: { select: { settings: true } } },
  });
  if (!row) return null;
  const { org, ...pending } = row;
  return Object.freeze({ ...pending, kind: "pending-login" as const, policy: policyFromRow(org.settings) }) as PendingLoginSubject;
}

/** As findPendingLogin, but a missing one is a LoginExpiredError. */
export async function requirePendingLogin(token: string | null | undefined, now = new Date()): Promise<PendingLoginSubject> {
  const pending = await findPendingLogin(token, now);
  if (!pending) throw new LoginExpiredError();
  return pending;
}

/**
 * Counts a failed verification against the pending login; at the limit it is
 * dead and the user must log in again. Returns the attempts left.
 */
export async function noteFailedVerification(pending: Pick<PendingLogin, "id">): Promise<number> {
  const row = await db().pendingLogin.update({ where: { id: pending.id }, data: { failedAttempts: { increment: 1 } }, select: { failedAttempts: true } });
  return Math.max(0, MAX_FAILED_VERIFICATIONS - row.failedAttempts);
}

/**
 * Creates the session of a verified pending login, exactly once: the
 * conditional update is atomic, so a replayed or concurrent completion gets
 * LoginExpiredError. The user must still be active.
 */
export async function completePendingLogin(
  token: string | null | undefined,
  request: RequestInfo,
  now = new Date(),
): Promise<{ sessionToken: string; userId: string; orgId: string }> {
  if (!token) throw new LoginExpiredError();
  const tokenHash = hashToken(token);
  // One statement (Prisma's updateMany would wrap its UPDATE in BEGIN … COMMIT).
  const count = await db().$executeRaw`
    UPDATE "PendingLogin" SET "completedAt" = ${now}
    WHERE "tokenHash" = ${tokenHash} AND "completedAt" IS NULL AND "verifiedAt" IS NOT NULL AND "expiresAt" > ${now}
      AND "failedAttempts" < ${MAX_FAILED_VERIFICATIONS}`;
  if (count !== 1) throw new LoginExpiredError();
  const pending = await db().pendingLogin.findUniqueOrThrow({ where: { tokenHash }, include: { user: true } });
  if (!pending.user.isActive) throw new LoginExpiredError();
  // A login that just passed a verification beyond the password counts as
  // "verify it's you" for the org's window: someone who logged in with a
  // recovery code can register a new key without the key they lost.
  const strong = pending.needsSecondFactor || ["Recovery code", "Temporary code"].includes(pending.verifiedMethod ?? "");
  const { token: sessionToken } = await createSession(pending.user, request, strong ? pending.verifiedAt : null);
  await db().loginAttempt.create({
    data: { orgId: pending.orgId, userId: pending.userId, username: pending.user.username, result: "Success", ip: request.ip, userAgent: request.userAgent },
  });
  return { sessionToken, userId: pending.userId, orgId: pending.orgId };
}
