import "server-only";
import { randomUUID } from "node:crypto";
import { col, execute, orgSettingsColumn, query, rowMapper, ts } from "../../db/sql";
import { db } from "../../db/client";
import { sweepOccasionally } from "../../db/sweep";
import type { PendingLogin, Role } from "../../db/generated/client";
import { effectivePolicy } from "../../policy/effective";
import type { PasswordCheckedUser, PendingLoginSubject } from "../org-context";
import { cookieName } from "../cookies";
import { UserFacingError } from "../../errors";
import type { RequestInfo } from "../../http/request-info";
import { hashToken, randomToken } from "../../crypto/tokens";
import { eventRow, SELF } from "../../events/record";
import { eventCtes, STATEMENT_SUBJECT } from "../../events/sql";

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

/**
 * SQL: the pending login `alias` (a table alias, or null for the statement's
 * own table) is live at the timestamp parameter `nowParam`: not used up, not
 * expired, not locked by failed verifications. The one statement of the rule:
 * every read and write of a live pending login, on the driver or through
 * Prisma, includes it.
 */
export function livePendingLoginSql(alias: string | null, nowParam: string): string {
  const c = (column: string) => (alias ? `${alias}."${column}"` : `"${column}"`);
  return `${c("completedAt")} IS NULL AND ${c("expiresAt")} > ${nowParam}::timestamp AND ${c("failedAttempts")} < ${MAX_FAILED_VERIFICATIONS}`;
}

/**
 * A new pending login; verified at once when nothing is needed; with `history`, its "verification required" event (Login History);
 * `fromKnownDevice` when the browser carries a device cookie activated for the user. Returns its cookie token.
 */
export async function createPendingLogin(
  user: PasswordCheckedUser,
  needs: Needs,
  request: RequestInfo,
  now = new Date(),
  verifiedMethod = "Password",
  history?: { username: string; result: "Verification required" },
  fromKnownDevice = false,
): Promise<string> {
  const token = randomToken();
  const verified = !needsVerification(needs);
  const events = history
    ? [
        eventRow(
          { orgId: user.orgId, actor: SELF, request },
          { type: "user.login.verification_required", user: { id: user.userId, username: history.username }, at: now },
        ),
      ]
    : [];
  // One statement: the pending login, and its event when the caller has one to write.
  await execute(
    `WITH p AS (
       INSERT INTO "PendingLogin" ("id", "tokenHash", "orgId", "userId", "ip", "userAgent", "needsSecondFactor", "needsDeviceActivation",
                                   "verifiedAt", "verifiedMethod", "failedAttempts", "emailCodeAttempts", "expiresAt", "createdAt", "fromKnownDevice")
       VALUES ($1::uuid, $2, $3::uuid, $4::uuid, $5, $6, $7, $8, $9::timestamp, $10, 0, 0, $11::timestamp, $12::timestamp, $14)
     ), ${eventCtes("$13")}
     SELECT 1`,
    [
      randomUUID(),
      hashToken(token),
      user.orgId,
      user.userId,
      request.ip,
      request.userAgent,
      needs.secondFactor,
      needs.deviceActivation,
      verified ? ts(now) : null,
      verified ? verifiedMethod : null,
      ts(new Date(now.getTime() + PENDING_LOGIN_TTL_MS)),
      ts(now),
      JSON.stringify(events),
      fromKnownDevice,
    ],
  );
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
  // One statement: the pending login, its user's role and the org's settings, from which its policy is derived.
  const [row] = await query(
    pendingRow,
    `SELECT row_to_json(p) AS pending, u."role", row_to_json(s) AS settings
     FROM "PendingLogin" p JOIN "User" u ON u."id" = p."userId" AND u."orgId" = p."orgId" LEFT JOIN "OrgSettings" s ON s."orgId" = p."orgId"
     WHERE p."tokenHash" = $1 AND ${livePendingLoginSql("p", "$2")}`,
    [hashToken(token), ts(now)],
  );
  if (!row) return null;
  return Object.freeze({ ...row.pending, kind: "pending-login" as const, policy: effectivePolicy(row.settings, row.role) }) as PendingLoginSubject;
}

const pendingRow = rowMapper({
  pending: col.record<PendingLogin>(["verifiedAt", "completedAt", "emailCodeExpiresAt", "expiresAt", "createdAt"]),
  role: col.textAs<Role>(),
  settings: orgSettingsColumn,
});

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
  const sessionToken = randomToken();
  // One statement: the pending login is used up (exactly once: the conditional
  // update is atomic), and for an active user the session and its "login
  // succeeded" event (Login History) are written. A login that just passed a verification beyond the
  // password counts as "verify it's you" for the org's window: someone who
  // logged in with a recovery code can register a new key without the key they lost. A login verified by
  // the emailed device-activation code has just proved the user's mailbox, as the enrolment code would:
  // the session is not asked to "Confirm your email first" again.
  const [row] = await query(
    completedRow,
    `WITH p AS (
       UPDATE "PendingLogin" SET "completedAt" = $2::timestamp
       WHERE "tokenHash" = $1 AND "verifiedAt" IS NOT NULL AND ${livePendingLoginSql(null, "$2")}
       RETURNING "orgId", "userId", "verifiedAt", ("needsSecondFactor" OR "verifiedMethod" IN ('Recovery code', 'Temporary code')) AS strong,
         "verifiedMethod" = 'Emailed code' AS mailbox
     ), u AS (
       SELECT u."id", u."orgId", u."username", p."verifiedAt", p.strong, p.mailbox FROM "User" u JOIN p ON u."id" = p."userId" AND u."orgId" = p."orgId" WHERE u."isActive"
     ), s AS (
       INSERT INTO "Session" ("id", "tokenHash", "userId", "orgId", "ip", "userAgent", "createdAt", "lastSeenAt", "freshAuthAt", "mailboxProvedAt", "enrolmentCodeAttempts")
       SELECT $3::uuid, $4, u."id", u."orgId", $5, $6, $2::timestamp, $2::timestamp, CASE WHEN u.strong THEN u."verifiedAt" END,
         CASE WHEN u.mailbox THEN u."verifiedAt" END, 0 FROM u
     ), ${eventCtes("$7", `(SELECT "orgId", "id" AS "userId" FROM u)`)}
     SELECT EXISTS (SELECT 1 FROM p) AS completed, (SELECT "id" FROM u) AS "userId", (SELECT "orgId" FROM u) AS "orgId"`,
    [hashToken(token), ts(now), randomUUID(), hashToken(sessionToken), request.ip, request.userAgent, JSON.stringify([loginSucceeded(request, now)])],
  );
  if (!row?.completed || !row.userId || !row.orgId) throw new LoginExpiredError();
  return { sessionToken, userId: row.userId, orgId: row.orgId };
}

const completedRow = rowMapper({ completed: col.bool, userId: col.nullable(col.text), orgId: col.nullable(col.text) });

/** The "login succeeded" event of completePendingLogin, whose org and user the statement supplies. */
function loginSucceeded(request: RequestInfo, now: Date) {
  return eventRow(
    { orgId: STATEMENT_SUBJECT, actor: SELF, request: { ip: request.ip, userAgent: request.userAgent } },
    { type: "user.login.succeeded", user: { id: STATEMENT_SUBJECT }, at: now },
  );
}
