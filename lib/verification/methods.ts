import "server-only";
import type { OrgContext, UserSubject } from "../auth/org-context";
import { col, query, rowMapper } from "../db/sql";
import type { Prisma } from "../db/generated/client";
import { UserFacingError } from "../errors";
import { mfaStatusOf, type MfaStatus, type SecondFactor } from "../policy/rules";
import { keyRequirementStatus } from "../policy/role-requirements";
import { countedAppSql, countedKeySql, countsUnder, secondFactorCounts, usableAppSql, usableKeySql, type FactorPolicy } from "./second-factors";

// Which verification methods a user has and may use, given their org's
// policy. The login flow asks for a second factor exactly when this is not
// empty; /verify offers these (plus the emailed code for device activation).

export type { MfaStatus, SecondFactor };

export interface UserMethods {
  /**
   * Second factors the user registered and the org allows. A flagged key still counts (it must be replaced, not
   * skipped), and so does a factor a "This wasn't me" report suspended: login then fails closed instead of
   * skipping the second factor.
   */
  secondFactors: SecondFactor[];
  /** Registered keys neither flagged as possible clones nor suspended: what a key verification may use. */
  usableKeys: { credentialId: string; transports: string[] }[];
  /** A confirmed authenticator app the org allows and no report suspended. */
  usableApp: boolean;
  /** "Admin recovery required": nothing but an admin's temporary code verifies this user. */
  adminRecoveryRequired: boolean;
}

const methodsRow = rowMapper({
  keys: col.json<{ credentialId: string; transports: string[]; usable: boolean }[]>(),
  app: col.bool,
  appUsable: col.bool,
  recovery: col.bool,
});

/** The methods of a subject's user, under the subject's org policy (or `policy`, when the caller has a newer one). */
export async function userMethods(subject: UserSubject, policy: FactorPolicy = subject.policy): Promise<UserMethods> {
  // One statement on the driver (the login's hot path: see lib/db/sql.ts): the user's keys that count, oldest first,
  // whether their app counts and can verify, and whether they await an admin. Which factors count: ./second-factors.ts.
  const [row] = await query(
    methodsRow,
    `SELECT COALESCE((SELECT json_agg(json_build_object('credentialId', k."credentialId", 'transports', k."transports", 'usable', ${usableKeySql("k")})
                               ORDER BY k."createdAt", k."id")
                      FROM "SecurityKey" k WHERE k."userId" = $1::uuid AND k."orgId" = $2::uuid AND ${countedKeySql("k")}), '[]'::json) AS keys,
            EXISTS (SELECT 1 FROM "AuthenticatorApp" a WHERE a."userId" = $1::uuid AND a."orgId" = $2::uuid AND ${countedAppSql("a")}) AS app,
            EXISTS (SELECT 1 FROM "AuthenticatorApp" a WHERE a."userId" = $1::uuid AND a."orgId" = $2::uuid AND ${usableAppSql("a")}) AS "appUsable",
            EXISTS (SELECT 1 FROM "User" u WHERE u."id" = $1::uuid AND u."orgId" = $2::uuid AND u."adminRecoveryRequiredAt" IS NOT NULL) AS recovery`,
    [subject.userId, subject.orgId],
  );
  const keys = countsUnder(policy, "security-key") ? (row?.keys ?? []) : [];
  const app = countsUnder(policy, "authenticator-app") && Boolean(row?.app);
  const recovery = Boolean(row?.recovery);
  const secondFactors: SecondFactor[] = [];
  if (keys.length > 0) secondFactors.push("security-key");
  if (app) secondFactors.push("authenticator-app");
  return {
    secondFactors,
    usableKeys: recovery ? [] : keys.filter((k) => k.usable).map(({ credentialId, transports }) => ({ credentialId, transports })),
    usableApp: app && !recovery && Boolean(row?.appUsable),
    adminRecoveryRequired: recovery,
  };
}

/**
 * Where a user stands against their org's MFA requirement and their role's key requirement. Costs no query when the
 * org does not require MFA and the user's role does not require a key.
 */
export async function mfaStatus(subject: UserSubject, now = new Date()): Promise<MfaStatus> {
  const keyRequirement = await keyRequirementStatus(subject, now);
  if (!subject.policy.requireMfa) return mfaStatusOf(subject.policy, [], now, keyRequirement);
  return mfaStatusOf(subject.policy, (await userMethods(subject)).secondFactors, now, keyRequirement);
}

/** The refusal when removing a method would leave a user of an MFA org without any. */
export const LAST_METHOD_REFUSAL =
  "Your org requires multi-factor authentication, so you can't remove your last verification method. Register another key or connect an authenticator app first.";

/**
 * Refuses (with LAST_METHOD_REFUSAL) a user's own removal of a second factor
 * when their org requires MFA and it is the last one they have. Runs inside
 * the removal's transaction, after it locked the user's row (lockUserRow), so
 * two parallel removals cannot both see the other factor still there.
 */
export async function assertNotLastRequiredMethod(tx: Prisma.TransactionClient, ctx: OrgContext, removing: SecondFactor): Promise<void> {
  // A factor the org does not allow counts for nothing, so removing it leaves the user as they were.
  if (!ctx.policy.requireMfa || !countsUnder(ctx.policy, removing)) return;
  const { registered } = await secondFactorCounts(ctx, ctx.policy, tx);
  if (registered - 1 <= 0) throw new UserFacingError(LAST_METHOD_REFUSAL);
}
