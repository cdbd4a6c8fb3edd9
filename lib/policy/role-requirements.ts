import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { Prisma, Role } from "../db/generated/client";
import { UserFacingError } from "../errors";
import { storedKeyRefusal } from "../webauthn/key-policy";
import { keySettingsOf } from "../webauthn/settings";
import { attestationTrust, type TrustStore } from "../webauthn/trust/store";
import { effectivePolicy } from "./effective";
import { formatDay } from "../validation/dates";
import { keyRequirementStatusOf, policyFromRow, roleRequirementOf, type KeyRequirementStatus, type OrgPolicy, type PolicyValues } from "./rules";

// Requirements by role (DESIGN.md section 14): "Security key only" for a
// role, from an optional day. What counts as a key is what the org's security
// key policy accepts at an assertion (lib/webauthn/key-policy.ts): not flagged
// as a possible clone, not suspended by a "This wasn't me" report, a model the
// org allows, and under "Physical security keys only" no synced passkey. The
// rule itself is the role's `roleRequirement` in lib/policy/effective.ts.

/** A registered key, as the requirement judges it. */
export interface RequirementKey {
  aaguid: string;
  modelProven: boolean;
  backupEligible: boolean;
  transports: readonly string[];
  flaggedAt: Date | null;
  suspendedAt: Date | null;
}

/** What a user has that the requirement looks at (an app or recovery codes never satisfy "Security key only"). */
export interface UserFactors {
  keys: readonly RequirementKey[];
}

type KeyPolicyValues = Pick<
  PolicyValues,
  "allowSecurityKeys" | "userVerification" | "authenticatorType" | "requireVerifiedModels" | "allowedAaguids" | "blockedAaguids" | "reauthWindowMinutes"
>;

/** Whether the org's key policy accepts this key for verification now. Pure (given the trust store). */
export function isAcceptedKey(policy: KeyPolicyValues, key: RequirementKey, trust: TrustStore = attestationTrust()): boolean {
  if (!policy.allowSecurityKeys || key.flaggedAt || key.suspendedAt) return false;
  const { policy: keyPolicy } = keySettingsOf({ ...(policy as PolicyValues), version: 0, updatedAt: null });
  return storedKeyRefusal(keyPolicy, { ...key, transports: [...key.transports], name: null }, trust) === null;
}

/**
 * Whether a user with these factors meets their role's requirement under `policy` (an effective policy: it carries
 * the role's requirement), whatever the day. "Any method the org allows" is always met. Pure (given the trust store).
 */
export function meetsRoleRequirement(policy: KeyPolicyValues & Pick<OrgPolicy, "roleRequirement">, userFactors: UserFactors, trust?: TrustStore): boolean {
  if (policy.roleRequirement?.requirement !== "SECURITY_KEY") return true;
  return userFactors.keys.some((key) => isAcceptedKey(policy, key, trust));
}

const KEY_FIELDS = { aaguid: true, modelProven: true, backupEligible: true, transports: true, flaggedAt: true, suspendedAt: true } as const;

/** A user's keys, as the requirement judges them. */
async function keysOf(owner: { userId: string; orgId: string }): Promise<RequirementKey[]> {
  return db().securityKey.findMany({ where: { userId: owner.userId, orgId: owner.orgId }, select: KEY_FIELDS });
}

/** Where a user stands against their role's key requirement (null when their role has none): one query, only then. */
export async function keyRequirementStatus(
  subject: { userId: string; orgId: string; policy: OrgPolicy },
  now = new Date(),
): Promise<KeyRequirementStatus | null> {
  const requirement = subject.policy.roleRequirement;
  if (requirement?.requirement !== "SECURITY_KEY") return null;
  return keyRequirementStatusOf(requirement, meetsRoleRequirement(subject.policy, { keys: await keysOf(subject) }), now);
}

export const KEY_ONLY_AT_LOGIN = "Your org requires a security key for your role. Use your security key, or a recovery code if you can't.";

/**
 * At login and device activation, a user whose role's requirement is in force and who has an accepted key verifies
 * with it: an authenticator app (or an emailed code) is refused. Recovery and temporary codes stay open as break-glass.
 * A user without an accepted key verifies as before and is then limited to registering one (lib/auth/context.ts).
 */
export async function assertKeyNotRequiredAtLogin(subject: { userId: string; orgId: string; policy: OrgPolicy }, now = new Date()): Promise<void> {
  const status = await keyRequirementStatus(subject, now);
  if (status?.inForce && status.met) throw new UserFacingError(KEY_ONLY_AT_LOGIN, { code: "Use your security key." });
}

export const LAST_KEY_REFUSAL =
  "Your role requires a security key, so you can't remove your last one your org accepts. Register another security key first, or ask an admin to remove a lost key.";

/**
 * Refuses (with LAST_KEY_REFUSAL) a user's own removal of their last key the org accepts while their role's requirement
 * is in force. Runs in the removal's transaction, after it locked the user's row (lockUserRow). An admin removing a
 * lost key is not refused: the user is then limited to registering one.
 */
export async function assertNotLastRequiredKey(
  tx: Prisma.TransactionClient,
  ctx: { userId: string; orgId: string; policy: OrgPolicy },
  keyId: string,
): Promise<void> {
  if (!ctx.policy.roleRequirement?.inForce) return;
  const keys = await tx.securityKey.findMany({ where: { userId: ctx.userId, orgId: ctx.orgId }, select: { id: true, ...KEY_FIELDS } });
  const trust = attestationTrust();
  const accepted = keys.filter((key) => isAcceptedKey(ctx.policy, key, trust));
  if (accepted.length === 1 && accepted[0]!.id === keyId) throw new UserFacingError(LAST_KEY_REFUSAL);
}

/**
 * Who of a role fails `policy`'s key requirement, without reading every user: those with no key that could count
 * (none, or only flagged or suspended ones) are a query of their own; only the keys that could count are read and
 * judged by the key policy (`met`: how many of the role's active users have one it accepts). Null when the role has
 * no key requirement under `policy`.
 */
async function notMeetingParts(orgId: string, policy: PolicyValues, role: Role, now: Date) {
  const effective = { ...policy, roleRequirement: roleRequirementOf(policy, role, now) };
  if (effective.roleRequirement.requirement !== "SECURITY_KEY") return null;
  const candidate = { orgId, flaggedAt: null, suspendedAt: null } satisfies Prisma.SecurityKeyWhereInput;
  const ofRole = { orgId, role, isActive: true } satisfies Prisma.UserWhereInput;
  // With keys off, no key counts: every active user of the role fails.
  if (!policy.allowSecurityKeys) return { keyless: ofRole, failingIds: [] as string[], met: 0 };
  const keys = await db().securityKey.findMany({ where: { ...candidate, user: ofRole }, select: { userId: true, ...KEY_FIELDS } });
  const trust = attestationTrust();
  const judged = new Map<string, boolean>();
  for (const key of keys) judged.set(key.userId, (judged.get(key.userId) ?? false) || isAcceptedKey(effective, key, trust));
  const failingIds = [...judged].filter(([, met]) => !met).map(([userId]) => userId);
  return { keyless: { ...ofRole, securityKeys: { none: candidate } } satisfies Prisma.UserWhereInput, failingIds, met: judged.size - failingIds.length };
}

/**
 * How many of a role fail: its active users (the org's counter row for the role, kept by triggers on "User") less
 * those with an accepted key, so the count reads the role's keys, not its users.
 */
async function notMeetingCount(orgId: string, role: Role, met: number): Promise<number> {
  const counts = await db().orgUserCount.findUnique({ where: { orgId_role: { orgId, role } }, select: { activeUsers: true } });
  // A user deactivated between the two reads would count twice; never below none.
  return Math.max(0, (counts?.activeUsers ?? 0) - met);
}

const BY_NAME = [{ name: "asc" }, { id: "asc" }] satisfies Prisma.UserOrderByWithRelationInput[];

/** Active users of a role who do not meet `policy`'s requirement for it, by name (ids and names). */
async function usersNotMeeting(orgId: string, policy: PolicyValues, role: Role, now: Date): Promise<{ id: string; name: string }[]> {
  const parts = await notMeetingParts(orgId, policy, role, now);
  if (!parts) return [];
  return db().user.findMany({
    where: { OR: [parts.keyless, { orgId, id: { in: parts.failingIds } }] },
    select: { id: true, name: true },
    orderBy: BY_NAME,
  });
}

/** How many of a role do not meet `policy`'s requirement, and the first few by name: the warnings need no more. */
async function notMeetingSummary(orgId: string, policy: PolicyValues, role: Role, now: Date): Promise<{ count: number; names: string[] }> {
  const parts = await notMeetingParts(orgId, policy, role, now);
  if (!parts) return { count: 0, names: [] };
  // The first few of each part, merged: one query with both parts under an OR reads the org's users in name order
  // until it has found them, all 200,000 of a big org for its one admin; each part alone walks the (orgId, role,
  // name, id) index, or reads the few failing ids.
  // The merge is ordered by the database too, so the names follow its collation as Setup → Users does.
  const first = (where: Prisma.UserWhereInput) => db().user.findMany({ where, select: { id: true, name: true }, orderBy: BY_NAME, take: NAMES_SHOWN });
  const [count, keyless, failing] = await Promise.all([
    notMeetingCount(orgId, role, parts.met),
    first(parts.keyless),
    parts.failingIds.length > 0 ? first({ orgId, id: { in: parts.failingIds } }) : [],
  ]);
  const merged = failing.length === 0 ? keyless : await first({ orgId, id: { in: [...keyless, ...failing].map((u) => u.id) } });
  return { count, names: merged.map((u) => u.name) };
}

/** Active users of the org who do not meet their role's requirement (in force or not yet): Setup → Users' filter and the checklist. */
export async function usersNotMeetingTheirRole(ctx: Principal, now = new Date()): Promise<{ id: string; name: string; role: Role }[]> {
  requirePermission(ctx, "setup:read");
  const policy = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: ctx.orgId } }));
  const roles: Role[] = ["ADMIN", "STANDARD"];
  const lists = await Promise.all(roles.map(async (role) => (await usersNotMeeting(ctx.orgId, policy, role, now)).map((u) => ({ ...u, role }))));
  return lists.flat();
}

/** How many active users of the org do not meet their role's requirement (in force or not yet): the Setup checklist's count. */
export async function countUsersNotMeetingTheirRole(ctx: Principal, now = new Date()): Promise<number> {
  requirePermission(ctx, "setup:read");
  const policy = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: ctx.orgId } }));
  const counts = await Promise.all(
    (["ADMIN", "STANDARD"] as const).map(async (role) => {
      const parts = await notMeetingParts(ctx.orgId, policy, role, now);
      return parts ? notMeetingCount(ctx.orgId, role, parts.met) : 0;
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

export interface RoleRequirementWarning {
  code: "role-requirement-not-met" | "role-requirement-applies-now";
  role: Role;
  message: string;
}

const ROLE_WORDS: Record<Role, [string, string]> = { ADMIN: ["admin", "admins"], STANDARD: ["standard user", "standard users"] };
const ROLE_TITLES: Record<Role, string> = { ADMIN: "Admins", STANDARD: "Standard users" };
const NAMES_SHOWN = 5;

/** "3 admins have no security key: Ada Lovelace, Grace Hopper, Alan Turing." */
export function notMetMessage(role: Role, names: readonly string[], count = names.length): string {
  const [one, many] = ROLE_WORDS[role];
  const shown = names.slice(0, NAMES_SHOWN);
  const more = count > shown.length ? ` and ${count - shown.length} more` : "";
  return `${count} ${count === 1 ? `${one} has` : `${many} have`} no security key: ${shown.join(", ")}${more}.`;
}

const KEY_POLICY_FIELDS = ["allowSecurityKeys", "authenticatorType", "requireVerifiedModels", "allowedAaguids", "blockedAaguids"] as const;

function sameDay(a: Date | null, b: Date | null): boolean {
  return (a ? formatDay(a) : null) === (b ? formatDay(b) : null);
}

/**
 * What saving `next` over `current` would do to the requirements by role, before it is saved (Session Settings' confirm
 * and the Admin API's dry run): for each role that requires a key under `next` where the requirement, its day or the key
 * policy changes, who would not comply (by name), and whether it applies at once (no day, or a day today or past).
 */
export async function roleRequirementWarnings(
  principal: Principal,
  current: PolicyValues,
  next: PolicyValues,
  now = new Date(),
): Promise<RoleRequirementWarning[]> {
  requirePermission(principal, "setup:read");
  const keyPolicyChanged = KEY_POLICY_FIELDS.some((field) => JSON.stringify(current[field]) !== JSON.stringify(next[field]));
  const warnings: RoleRequirementWarning[] = [];
  for (const role of ["ADMIN", "STANDARD"] as const) {
    const before = roleRequirementOf(current, role, now);
    const after = roleRequirementOf(next, role, now);
    if (after.requirement !== "SECURITY_KEY") continue;
    const changed = before.requirement !== after.requirement || !sameDay(before.requiredFrom, after.requiredFrom) || keyPolicyChanged;
    if (!changed) continue;
    const missing = await notMeetingSummary(principal.orgId, next, role, now);
    if (missing.count > 0) warnings.push({ code: "role-requirement-not-met", role, message: notMetMessage(role, missing.names, missing.count) });
    if (after.inForce && !before.inForce) {
      const day = after.requiredFrom ? ` (${formatDay(after.requiredFrom)} is today or past)` : "";
      const who = missing.count > 0 ? " Those without one can only register a key until they do." : "";
      warnings.push({ code: "role-requirement-applies-now", role, message: `${ROLE_TITLES[role]} must use a security key at once${day}.${who}` });
    }
  }
  return warnings;
}

/**
 * An API token works only while its creator meets their role's requirement (DESIGN.md section 14): false when the
 * creator's role requires a key, in force, and they have none the org accepts. For lib/api-tokens' resolver.
 */
export async function apiTokenCreatorMeetsRequirement(creator: { userId: string; orgId: string }, now = new Date()): Promise<boolean> {
  const user = await db().user.findFirst({
    where: { id: creator.userId, orgId: creator.orgId },
    select: { role: true, org: { select: { settings: true } } },
  });
  if (!user) return false;
  const status = await keyRequirementStatus({ ...creator, policy: effectivePolicy(user.org.settings, user.role, now) }, now);
  return !status?.due;
}
