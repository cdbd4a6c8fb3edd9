import "server-only";
import type { OrgContext } from "../auth/org-context";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { col, query, rowMapper } from "../db/sql";
import type { Prisma } from "../db/generated/client";
import { usersNotMeetingTheirRole } from "../policy/role-requirements";
import { COUNTED_APP, COUNTED_KEY, countedAppSql, countedKeySql } from "../verification/second-factors";

export const USERS_PAGE_SIZE = 25;

const listFields = {
  id: true,
  name: true,
  username: true,
  email: true,
  role: true,
  isActive: true,
  createdAt: true,
  // Usable keys and flagged ones ("possible cloned key") are counted apart.
  _count: { select: { securityKeys: { where: { flaggedAt: null } }, recoveryCodes: { where: { usedAt: null } } } },
  securityKeys: { where: { flaggedAt: { not: null } }, select: { id: true } },
  authenticatorApp: { select: { confirmedAt: true } },
} satisfies Prisma.UserSelect;

/** The verification-method filter of Setup → Users ("role-requirement": doesn't meet their role's requirement, DESIGN.md section 14). */
export type MethodFilter = "none" | "security-key" | "authenticator-app" | "recovery-codes" | "role-requirement";

const hasKey: Prisma.UserWhereInput = { securityKeys: { some: COUNTED_KEY } };
const hasRecoveryCodes: Prisma.UserWhereInput = { recoveryCodes: { some: { usedAt: null } } };
const hasApp: Prisma.UserWhereInput = { authenticatorApp: COUNTED_APP };
const METHOD_FILTERS: Record<Exclude<MethodFilter, "role-requirement">, Prisma.UserWhereInput> = {
  none: { NOT: [hasKey, hasApp, hasRecoveryCodes] },
  "security-key": hasKey,
  "authenticator-app": hasApp,
  "recovery-codes": hasRecoveryCodes,
};

/** A method filter's condition; "role-requirement" is judged in code: what the org's key policy accepts (lib/policy/role-requirements.ts). */
async function methodWhere(ctx: Principal, method: MethodFilter): Promise<Prisma.UserWhereInput> {
  if (method === "role-requirement") return { id: { in: (await usersNotMeetingTheirRole(ctx)).map((u) => u.id) } };
  return METHOD_FILTERS[method];
}

/**
 * The org's user figures: all users, active users, active users with a
 * security key (usable or flagged) and with a confirmed app but no key; the
 * org's registered keys, and those whose model is only claimed by the key
 * (never proven by attestation).
 */
const orgUserCountsRow = rowMapper({
  users: col.int,
  activeUsers: col.int,
  withKey: col.int,
  withAppOnly: col.int,
  keys: col.int,
  claimedKeys: col.int,
});

/**
 * One statement through Prisma (an admin page, not the login's hot path), not
 * four Prisma counts: the user counts are the org's two "OrgUserCount" rows
 * (one per role, kept by triggers on "User"), and the key and app counts start
 * from the org's keys and apps, so a big org costs two rows and its keys, not
 * a read of its users. What counts as a key or an app:
 * lib/verification/second-factors.ts.
 */
async function orgUserCounts(orgId: string) {
  const [row] = await query(
    orgUserCountsRow,
    `SELECT u.users, u."activeUsers",
       (SELECT count(DISTINCT k."userId")::int FROM "SecurityKey" k JOIN "User" ku ON ku."id" = k."userId"
         WHERE k."orgId" = $1::uuid AND ${countedKeySql("k")} AND ku."isActive") AS "withKey",
       (SELECT count(*)::int FROM "AuthenticatorApp" a JOIN "User" au ON au."id" = a."userId"
         WHERE a."orgId" = $1::uuid AND ${countedAppSql("a")} AND au."isActive"
           AND NOT EXISTS (SELECT 1 FROM "SecurityKey" k WHERE k."userId" = a."userId" AND ${countedKeySql("k")})) AS "withAppOnly",
       k.keys, k."claimedKeys"
     FROM (SELECT coalesce(sum("users"), 0)::int AS users, coalesce(sum("activeUsers"), 0)::int AS "activeUsers"
           FROM "OrgUserCount" WHERE "orgId" = $1::uuid) u,
          (SELECT count(*)::int AS keys, (count(*) FILTER (WHERE NOT "modelProven"))::int AS "claimedKeys"
           FROM "SecurityKey" WHERE "orgId" = $1::uuid) k`,
    [orgId],
    db(),
  );
  return row!;
}

/** How many of the org's keys are registered, and how many of those only claim their model (an admin's input before "Accept only verified key models"). */
export interface KeyModelCounts {
  keys: number;
  claimedKeys: number;
}

/** Adoption figures for Setup → Users: of the org's active users, how many have a key; all its users; its keys by model proof. */
export async function methodAdoption(ctx: Principal): Promise<{ activeUsers: number; withSecurityKey: number; totalUsers: number } & KeyModelCounts> {
  requirePermission(ctx, "setup:read");
  const counts = await orgUserCounts(ctx.orgId);
  return { activeUsers: counts.activeUsers, withSecurityKey: counts.withKey, totalUsers: counts.users, keys: counts.keys, claimedKeys: counts.claimedKeys };
}

export interface AdoptionSummary extends KeyModelCounts {
  activeUsers: number;
  /** Active users with a security key, with an authenticator app but no key, and with neither. */
  withKey: number;
  withAppOnly: number;
  withNothing: number;
  /** All users, active or not (the checklist's "invite users"). */
  totalUsers: number;
}

/** The org's adoption at a glance, for the Setup home. */
export async function adoptionSummary(ctx: Principal): Promise<AdoptionSummary> {
  requirePermission(ctx, "setup:read");
  const { users, activeUsers, withKey, withAppOnly, keys, claimedKeys } = await orgUserCounts(ctx.orgId);
  return { activeUsers, withKey, withAppOnly, withNothing: activeUsers - withKey - withAppOnly, totalUsers: users, keys, claimedKeys };
}

/**
 * A page of the org's users, by name. `unfilteredTotal`, when the caller
 * already has the org's user count (methodAdoption's totalUsers), stands in
 * for counting again when there is no search and no method filter.
 */
export async function listUsers(ctx: Principal, query: { q: string; page: number; method?: MethodFilter }, unfilteredTotal?: Promise<number>) {
  requirePermission(ctx, "setup:read");
  // Prisma passes `contains` to LIKE unescaped: "%" or "_" would match everyone.
  const q = query.q.replace(/[\\%_]/g, "\\$&");
  const where: Prisma.UserWhereInput = {
    orgId: ctx.orgId,
    ...(q
      ? {
          OR: [
            { name: { contains: q, mode: "insensitive" } },
            { username: { contains: q, mode: "insensitive" } },
            { email: { contains: q, mode: "insensitive" } },
          ],
        }
      : {}),
    ...(query.method ? await methodWhere(ctx, query.method) : {}),
  };
  const [users, total] = await Promise.all([
    db().user.findMany({
      where,
      select: listFields,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      skip: (query.page - 1) * USERS_PAGE_SIZE,
      take: USERS_PAGE_SIZE,
    }),
    !q && !query.method && unfilteredTotal ? unfilteredTotal : db().user.count({ where }),
  ]);
  return { users, total, page: query.page, pageCount: Math.max(1, Math.ceil(total / USERS_PAGE_SIZE)) };
}

/** The Admin API's user filters (`hasKey`: a registered key, flagged or suspended ones too). */
export interface UserListFilter {
  active?: boolean;
  role?: "ADMIN" | "STANDARD";
  hasKey?: boolean;
  method?: MethodFilter;
}

/** Up to `take` of the org's users, oldest first, after a (createdAt, id) position: the Admin API's cursor read. */
export async function listUsersAfter(ctx: Principal, filter: UserListFilter, after: { createdAt: Date; id: string } | null, take: number) {
  requirePermission(ctx, "setup:read");
  const conditions: Prisma.UserWhereInput[] = [
    ...(filter.active === undefined ? [] : [{ isActive: filter.active }]),
    ...(filter.role ? [{ role: filter.role }] : []),
    ...(filter.hasKey === undefined ? [] : [filter.hasKey ? hasKey : { NOT: hasKey }]),
    ...(filter.method ? [await methodWhere(ctx, filter.method)] : []),
    ...(after ? [{ OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }] : []),
  ];
  return db().user.findMany({ where: { orgId: ctx.orgId, AND: conditions }, select: listFields, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take });
}

/** A user of the context's org, or null (a foreign id is simply not found). */
export async function findUser(ctx: Principal, userId: string) {
  requirePermission(ctx, "setup:read");
  const user = await db().user.findFirst({
    where: { id: userId, orgId: ctx.orgId },
    select: {
      ...listFields,
      updatedAt: true,
      passwordHash: true,
      sessions: {
        where: { revokedAt: null },
        select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
        orderBy: { lastSeenAt: "desc" },
        take: 20,
      },
      invitationTokens: {
        where: { orgId: ctx.orgId, usedAt: null },
        select: { createdAt: true, expiresAt: true, purpose: true },
        orderBy: { createdAt: "desc" },
        take: 1,
      },
    },
  });
  if (!user) return null;
  // The hash itself never leaves this function: pages only learn whether one is set.
  const { passwordHash, invitationTokens, ...rest } = user;
  return { ...rest, hasPassword: passwordHash !== null, pendingInvitation: invitationTokens[0] ?? null };
}

export async function getOwnAccount(ctx: OrgContext) {
  return db().user.findFirstOrThrow({
    where: { id: ctx.userId, orgId: ctx.orgId },
    select: { id: true, name: true, username: true, email: true, role: true, createdAt: true },
  });
}

/** The signed-in user's live sessions (browsers where they are signed in), newest activity first. */
export async function listOwnSessions(ctx: OrgContext) {
  return db().session.findMany({
    where: { orgId: ctx.orgId, userId: ctx.userId, revokedAt: null },
    select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
    orderBy: { lastSeenAt: "desc" },
    take: 20,
  });
}
