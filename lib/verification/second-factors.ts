import "server-only";
import type { Prisma } from "../db/generated/client";
import { col, query, rowMapper, type SqlTarget } from "../db/sql";
import type { OrgPolicy, SecondFactor } from "../policy/rules";

// Which second factors count, stated once for the SQL and the Prisma paths:
// - every registered security key, flagged or suspended: a flagged key must be
//   replaced, not skipped, and a factor a "This wasn't me" report suspended
//   still counts, so the next login fails closed instead of skipping it;
// - an authenticator app once it is confirmed;
// - each only while the org allows its kind. Recovery codes are a backup, not a factor.
// A counted factor is usable (it can verify) unless flagged as a possible clone or suspended.
//
// Each rule is a list of columns that must be set or unset; the SQL fragment
// (for lib/db/sql.ts statements) and the Prisma filter are both read off it.

type Rule = Readonly<Record<string, "set" | "unset">>;

const COUNTED_KEY_RULE = {} as const satisfies Rule;
const USABLE_KEY_RULE = { flaggedAt: "unset", suspendedAt: "unset" } as const satisfies Rule;
const COUNTED_APP_RULE = { confirmedAt: "set" } as const satisfies Rule;
const USABLE_APP_RULE = { confirmedAt: "set", suspendedAt: "unset" } as const satisfies Rule;

function sqlOf(rule: Rule, alias: string): string {
  const terms = Object.entries(rule).map(([column, state]) => `${alias}."${column}" IS ${state === "set" ? "NOT NULL" : "NULL"}`);
  return terms.length > 0 ? `(${terms.join(" AND ")})` : "TRUE";
}

type WhereOf<R extends Rule> = { -readonly [C in keyof R]: R[C] extends "set" ? { not: null } : null };

function whereOf<R extends Rule>(rule: R): WhereOf<R> {
  return Object.fromEntries(Object.entries(rule).map(([column, state]) => [column, state === "set" ? { not: null } : null])) as WhereOf<R>;
}

/** SQL: the "SecurityKey" row `alias` counts as a second factor. */
export const countedKeySql = (alias: string) => sqlOf(COUNTED_KEY_RULE, alias);
/** SQL: the "SecurityKey" row `alias` can verify. */
export const usableKeySql = (alias: string) => sqlOf(USABLE_KEY_RULE, alias);
/** SQL: the "AuthenticatorApp" row `alias` counts as a second factor. */
export const countedAppSql = (alias: string) => sqlOf(COUNTED_APP_RULE, alias);
/** SQL: the "AuthenticatorApp" row `alias` can verify. */
export const usableAppSql = (alias: string) => sqlOf(USABLE_APP_RULE, alias);

/** Prisma: a security key that counts as a second factor. */
export const COUNTED_KEY = whereOf(COUNTED_KEY_RULE) satisfies Prisma.SecurityKeyWhereInput;
/** Prisma: a security key that can verify. */
export const USABLE_KEY = whereOf(USABLE_KEY_RULE) satisfies Prisma.SecurityKeyWhereInput;
/** Prisma: an authenticator app that counts as a second factor. */
export const COUNTED_APP = whereOf(COUNTED_APP_RULE) satisfies Prisma.AuthenticatorAppWhereInput;
/** Prisma: an authenticator app that can verify. */
export const USABLE_APP = whereOf(USABLE_APP_RULE) satisfies Prisma.AuthenticatorAppWhereInput;

/** What of a policy decides which factors count. */
export type FactorPolicy = Pick<OrgPolicy, "allowSecurityKeys" | "allowTotp">;

/** Whether a factor of this kind counts under the org's policy (a kind the org does not allow counts for nothing). */
export function countsUnder(policy: FactorPolicy, factor: SecondFactor): boolean {
  return factor === "security-key" ? policy.allowSecurityKeys : policy.allowTotp;
}

const countsRow = rowMapper({ registered: col.int, usable: col.int });

/**
 * How many second factors a user has that count under `policy`, and how many
 * of those can verify. One statement, on the driver or (with `on`) inside the
 * caller's Prisma transaction.
 */
export async function secondFactorCounts(
  owner: { userId: string; orgId: string },
  policy: FactorPolicy,
  on?: SqlTarget,
): Promise<{ registered: number; usable: number }> {
  const keys = (rule: string) => `(SELECT count(*) FROM "SecurityKey" k WHERE k."userId" = $1::uuid AND k."orgId" = $2::uuid AND $3::boolean AND ${rule})`;
  const apps = (rule: string) => `(SELECT count(*) FROM "AuthenticatorApp" a WHERE a."userId" = $1::uuid AND a."orgId" = $2::uuid AND $4::boolean AND ${rule})`;
  const [row] = await query(
    countsRow,
    `SELECT ${keys(countedKeySql("k"))} + ${apps(countedAppSql("a"))} AS registered, ${keys(usableKeySql("k"))} + ${apps(usableAppSql("a"))} AS usable`,
    [owner.userId, owner.orgId, countsUnder(policy, "security-key"), countsUnder(policy, "authenticator-app")],
    on,
  );
  return row ?? { registered: 0, usable: 0 };
}
