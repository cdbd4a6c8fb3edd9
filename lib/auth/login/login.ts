import "server-only";
import { env } from "../../env";
import { db } from "../../db/client";
import { RateLimitedError, UserFacingError } from "../../errors";
import { passwordChecksInFlight, withPasswordCheck } from "./admission";
import { rateLimitAddress, type RequestInfo } from "../../http/request-info";
import { recordEvent } from "../../events/record";
import { ANONYMOUS } from "../../events/types";
import { hashPassword, needsRehash, verifyPassword } from "../passwords/password";
import { effectivePolicy, policyFor } from "../../policy/effective";
import type { PasswordCheckedUser } from "../org-context";
import { userMethods } from "../../verification/methods";
import { activateDevice, isActivatedDevice, knownDeviceId } from "./devices";
import { createPendingLogin, needsVerification, type Needs } from "./pending-login";
import { clearRateLimit, hitRateLimits, releaseRateLimit, secondsOverLimit, type RateLimitRule } from "../rate-limit";
import { col, orgSettingsColumn, query, rowMapper } from "../../db/sql";
import type { Role } from "../../db/generated/client";

export const GENERIC_LOGIN_ERROR = "Check your username and password";

export const LOGIN_LIMITS = {
  perUsername: { limit: 10, windowSeconds: 15 * 60 },
  perIp: { limit: 50, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimitRule>;

/** Every result a LoginAttempt row can carry; Login History filters by exactly these. */
export const LOGIN_RESULTS = ["Success", "Invalid password", "Locked out", "Inactive user", "Verification required", "Verification failed"] as const;
export type LoginResult = (typeof LOGIN_RESULTS)[number];

export class InvalidCredentialsError extends UserFacingError {
  override readonly status = 401;
  constructor() {
    super(GENERIC_LOGIN_ERROR);
  }
}

const userKey = (username: string) => `login:user:${username}`;
// A browser activated for the user counts its failures in a bucket of its own:
// someone guessing the password from elsewhere cannot lock its owner out.
const deviceKey = (deviceId: string) => `login:device:${deviceId}`;
const ipKey = (ip: string) => `login:ip:${rateLimitAddress(ip)}`;
// Correct passwords per IP, in a bucket of their own with a higher limit (PASSWORD_LOGIN_SUCCESSES_PER_IP per 10 minutes):
// one client holding valid passwords cannot make the server hash for it without end. Every browser counts, a known one too.
const successKey = (ip: string) => `login:ip-success:${rateLimitAddress(ip)}`;
const successRule = (): RateLimitRule => ({ limit: env().PASSWORD_LOGIN_SUCCESSES_PER_IP, windowSeconds: 10 * 60 });

/** A login request: who is asking, and the device cookie their browser carries. */
export interface LoginRequest extends RequestInfo {
  deviceCookie?: string | null;
}

export interface PasswordStep {
  userId: string;
  orgId: string;
  /** Names the pending login (its cookie); completePendingLogin turns a verified one into a session. */
  pendingToken: string;
  needs: Needs;
  /** "verify" → the user goes to /verify; "complete" → nothing more is needed. */
  next: "verify" | "complete";
}

/**
 * The password step. Wrong username, wrong password and deactivated user all
 * answer the same; failures count per username and per IP in the database.
 * A correct password yields a pending login, never a session: the server
 * decides what is still needed (a second factor the user has and the org
 * allows; device activation when the org requires it and this browser carries
 * no device token for this user).
 */
export async function authenticateWithPassword(username: string, password: string, request: LoginRequest, now = new Date()): Promise<PasswordStep> {
  return passwordStep(username, password, request, now);
}

/** How many password logins are in progress in this process (tests). */
export function passwordLoginsInProgress(): number {
  return passwordChecksInFlight();
}

async function passwordStep(username: string, password: string, request: LoginRequest, now: Date): Promise<PasswordStep> {
  const user = await findLoginUser(username);
  const deviceId = user ? await knownDeviceId(user, request.deviceCookie) : null;
  // Admitted (or turned away with 503) before anything is counted or recorded: a login turned away for load costs
  // its user no rate-limit slot. The slot is held until the step ends, so a burst cannot all pass before any of it hashes.
  // Each client's share of the instance's checks is bounded (./admission.ts).
  const claim = { ip: request.ip, account: username, orgId: user?.orgId, knownDevice: deviceId !== null };
  return withPasswordCheck(claim, () => checkedPasswordStep(user, deviceId, username, password, request, now));
}

async function checkedPasswordStep(
  user: Awaited<ReturnType<typeof findLoginUser>>,
  deviceId: string | null,
  username: string,
  password: string,
  request: LoginRequest,
  now: Date,
): Promise<PasswordStep> {
  // Events are per org: an attempt on a username no org has would be a row nobody can see, written at an anonymous caller's will.
  // Whoever failed the password is not known to be the user: the actor is anonymous.
  const by = user ? { orgId: user.orgId, actor: ANONYMOUS, request } : null;

  // Every attempt takes its slot before the password is checked: each hit is
  // one atomic upsert, so a burst of parallel guesses cannot all slip past a
  // check made before any of them was counted. A success gives its slots back.
  const accountKey = deviceId ? deviceKey(deviceId) : userKey(username);
  // A known browser is not held back by failures from others behind the same address (an office NAT) either.
  const countsIp = Boolean(request.ip && !deviceId);
  // The success bucket is hit up front as well (a burst cannot all pass before one is counted); an attempt that fails gives it back.
  const successes = request.ip ? { key: successKey(request.ip), rule: successRule() } : null;
  const states = await hitRateLimits(
    [
      { key: accountKey, rule: LOGIN_LIMITS.perUsername },
      ...(countsIp ? [{ key: ipKey(request.ip!), rule: LOGIN_LIMITS.perIp }] : []),
      ...(successes ? [successes] : []),
    ],
    now,
  );
  const [byUser, byIp = null] = successes ? states.slice(0, -1) : states;
  const bySuccess = successes ? states.at(-1)! : null;
  if (!byUser) throw new Error("the login rate limit was not counted");
  const wait = Math.max(
    secondsOverLimit(byUser, LOGIN_LIMITS.perUsername, now),
    byIp ? secondsOverLimit(byIp, LOGIN_LIMITS.perIp, now) : 0,
    bySuccess && successes ? secondsOverLimit(bySuccess, successes.rule, now) : 0,
  );
  const notASuccess = async () => {
    if (successes) await releaseRateLimit(successes.key);
  };
  if (wait > 0) {
    await notASuccess();
    // One "Locked out" row when the lockout starts (the first attempt refused), not one for every attempt refused during it.
    const starting = byUser.count === LOGIN_LIMITS.perUsername.limit + 1 || byIp?.count === LOGIN_LIMITS.perIp.limit + 1;
    if (starting && by) await recordEvent(by, { type: "user.login.locked_out", user: { id: user!.id, username } });
    throw new RateLimitedError(wait);
  }

  const passwordOk = await verifyPassword(password, user?.passwordHash);
  if (!user || !passwordOk || !user.isActive) {
    await notASuccess();
    if (user && by) {
      // The failure that uses up the username's budget also tells the admins the account is locked out (one event, two rows).
      const lockout = !deviceId && byUser.count === LOGIN_LIMITS.perUsername.limit ? { lockedOutUntil: byUser.resetAt, failures: byUser.count } : {};
      const reason = passwordOk ? "inactive-user" : "invalid-password";
      await recordEvent(by, { type: "user.login.failed", user: { id: user.id, username }, data: { reason, ...lockout } });
    }
    throw new InvalidCredentialsError();
  }

  // Two statements, the account's row then the IP's, in the order hitRateLimits locked them (one statement
  // would take them the other way round, and two logins from one browser could deadlock).
  await clearRateLimit(accountKey);
  if (countsIp) await releaseRateLimit(ipKey(request.ip!));
  if (user.passwordHash && needsRehash(user.passwordHash)) await upgradePasswordHash(user.id, user.passwordHash, password);

  const checked = Object.freeze({
    kind: "password-checked",
    orgId: user.orgId,
    userId: user.id,
    policy: effectivePolicy(user.settings, user.role),
  }) as PasswordCheckedUser;
  const methods = await userMethods(checked);
  const needs: Needs = {
    // A suspended factor counts, and an account awaiting admin recovery always verifies (with the admin's temporary code).
    secondFactor: methods.secondFactors.length > 0 || methods.adminRecoveryRequired,
    deviceActivation: checked.policy.requireDeviceActivation && !(await isActivatedDevice(checked, request.deviceCookie, now)),
  };
  const info = { ip: request.ip, userAgent: request.userAgent };
  // "Success" is recorded when the session is created (completePendingLogin); "Verification required" with the pending login.
  const history = needsVerification(needs) ? { username, result: "Verification required" as const satisfies LoginResult } : undefined;
  const pendingToken = await createPendingLogin(checked, needs, info, now, "Password", history, Boolean(deviceId));
  return { userId: user.id, orgId: user.orgId, pendingToken, needs, next: needsVerification(needs) ? "verify" : "complete" };
}

const loginUserRow = rowMapper({
  id: col.text,
  orgId: col.text,
  passwordHash: col.nullable(col.text),
  isActive: col.bool,
  role: col.textAs<Role>(),
  settings: orgSettingsColumn,
});

/** The user a username names (the one holding it as a login name: lib/users/usernames.ts), with their role and their org's Session Settings (their policy), in one statement. */
async function findLoginUser(username: string) {
  const [row] = await query(
    loginUserRow,
    `SELECT u."id", u."orgId", u."passwordHash", u."isActive", u."role", row_to_json(s) AS settings
     FROM "User" u LEFT JOIN "OrgSettings" s ON s."orgId" = u."orgId" WHERE u."claimedUsername" = $1`,
    [username],
  );
  return row ?? null;
}

/**
 * The password just matched a hash from before Argon2id: store it as Argon2id.
 * Only if the hash is still the one checked (a password change in between wins).
 */
async function upgradePasswordHash(userId: string, checkedHash: string, password: string): Promise<void> {
  await db().user.updateMany({ where: { id: userId, passwordHash: checkedHash }, data: { passwordHash: await hashPassword(password) } });
}

/**
 * The browser that creates an org is its first admin's first device: the
 * password was just chosen in sign-up, so the admin gets a verified pending
 * login (which the form turns into a session) and the browser is activated.
 */
export async function loginAfterSignup(
  created: { userId: string; orgId: string },
  request: RequestInfo,
  now = new Date(),
): Promise<{ pendingToken: string; deviceToken: string }> {
  const admin = Object.freeze({
    kind: "password-checked",
    orgId: created.orgId,
    userId: created.userId,
    // The org's creator is its first admin.
    policy: await policyFor(created.orgId, "ADMIN"),
  }) as PasswordCheckedUser;
  const pendingToken = await createPendingLogin(admin, { secondFactor: false, deviceActivation: false }, request, now, "Sign-up");
  const deviceToken = await db().$transaction((tx) => activateDevice(tx, admin, request, now));
  return { pendingToken, deviceToken };
}
