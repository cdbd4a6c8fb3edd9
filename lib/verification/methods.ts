import "server-only";
import type { OrgContext, UserSubject } from "../auth/org-context";
import { sql } from "../db/sql";
import type { Prisma } from "../db/generated/client";
import { UserFacingError } from "../errors";
import { mfaStatusOf, type MfaStatus, type OrgPolicy, type SecondFactor } from "../policy/rules";

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

type MethodPolicy = Pick<OrgPolicy, "allowSecurityKeys" | "allowTotp">;

interface MethodsRow {
  keys: { credentialId: string; transports: string[]; flagged: boolean; suspended: boolean }[];
  app: boolean;
  appSuspended: boolean;
  recovery: boolean;
}

/** The methods of a subject's user, under the subject's org policy (or `policy`, when the caller has a newer one). */
export async function userMethods(subject: UserSubject, policy: MethodPolicy = subject.policy): Promise<UserMethods> {
  // One statement on the driver (the login's hot path: see lib/db/sql.ts): the user's keys, oldest first, their app, and whether they await an admin.
  const [row] = await sql<MethodsRow>(
    `SELECT COALESCE((SELECT json_agg(json_build_object('credentialId', k."credentialId", 'transports', k."transports", 'flagged', k."flaggedAt" IS NOT NULL,
                                                'suspended', k."suspendedAt" IS NOT NULL)
                               ORDER BY k."createdAt", k."id")
                      FROM "SecurityKey" k WHERE k."userId" = $1::uuid AND k."orgId" = $2::uuid), '[]'::json) AS keys,
            EXISTS (SELECT 1 FROM "AuthenticatorApp" a WHERE a."userId" = $1::uuid AND a."orgId" = $2::uuid AND a."confirmedAt" IS NOT NULL) AS app,
            EXISTS (SELECT 1 FROM "AuthenticatorApp" a WHERE a."userId" = $1::uuid AND a."orgId" = $2::uuid AND a."suspendedAt" IS NOT NULL) AS "appSuspended",
            EXISTS (SELECT 1 FROM "User" u WHERE u."id" = $1::uuid AND u."orgId" = $2::uuid AND u."adminRecoveryRequiredAt" IS NOT NULL) AS recovery`,
    [subject.userId, subject.orgId],
  );
  const keys = policy.allowSecurityKeys ? (row?.keys ?? []) : [];
  const app = policy.allowTotp && Boolean(row?.app);
  const recovery = Boolean(row?.recovery);
  const secondFactors: SecondFactor[] = [];
  if (keys.length > 0) secondFactors.push("security-key");
  if (app) secondFactors.push("authenticator-app");
  return {
    secondFactors,
    usableKeys: recovery ? [] : keys.filter((k) => !k.flagged && !k.suspended).map(({ credentialId, transports }) => ({ credentialId, transports })),
    usableApp: app && !recovery && !row?.appSuspended,
    adminRecoveryRequired: recovery,
  };
}

/** Where a user stands against their org's MFA requirement. Costs no query when the org does not require MFA. */
export async function mfaStatus(subject: UserSubject, now = new Date()): Promise<MfaStatus> {
  if (!subject.policy.requireMfa) return mfaStatusOf(subject.policy, [], now);
  return mfaStatusOf(subject.policy, (await userMethods(subject)).secondFactors, now);
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
  const counted = removing === "security-key" ? ctx.policy.allowSecurityKeys : ctx.policy.allowTotp;
  if (!ctx.policy.requireMfa || !counted) return;
  const { userId, orgId } = ctx;
  const [keys, apps] = await Promise.all([
    ctx.policy.allowSecurityKeys ? tx.securityKey.count({ where: { userId, orgId } }) : 0,
    ctx.policy.allowTotp ? tx.authenticatorApp.count({ where: { userId, orgId, confirmedAt: { not: null } } }) : 0,
  ]);
  if (keys + apps - 1 <= 0) throw new UserFacingError(LAST_METHOD_REFUSAL);
}
