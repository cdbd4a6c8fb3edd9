import "server-only";
import type { OrgContext, UserSubject } from "../auth/org-context";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { UserFacingError } from "../errors";
import { mfaStatusOf, type MfaStatus, type OrgPolicy, type SecondFactor } from "../policy/rules";

// Which verification methods a user has and may use, given their org's
// policy. The login flow asks for a second factor exactly when this is not
// empty; /verify offers these (plus the emailed code for device activation).

export type { MfaStatus, SecondFactor };

export interface UserMethods {
  /** Second factors the user registered and the org allows (a flagged key still counts: it must be replaced, not skipped). */
  secondFactors: SecondFactor[];
  /** Registered keys not flagged as possible clones: what a key verification may use. */
  usableKeys: { credentialId: string; transports: string[] }[];
}

type MethodPolicy = Pick<OrgPolicy, "allowSecurityKeys" | "allowTotp">;

/** The methods of a subject's user, under the subject's org policy (or `policy`, when the caller has a newer one). */
export async function userMethods(subject: UserSubject, policy: MethodPolicy = subject.policy): Promise<UserMethods> {
  // One statement: the user's keys and app come with the user row (relations are joined, not queried one by one).
  const user = await db().user.findFirst({
    where: { id: subject.userId, orgId: subject.orgId },
    select: {
      securityKeys: { select: { credentialId: true, transports: true, flaggedAt: true }, orderBy: { createdAt: "asc" } },
      authenticatorApp: { select: { confirmedAt: true } },
    },
  });
  const keys = policy.allowSecurityKeys ? (user?.securityKeys ?? []) : [];
  const app = policy.allowTotp && user?.authenticatorApp?.confirmedAt ? 1 : 0;
  const secondFactors: SecondFactor[] = [];
  if (keys.length > 0) secondFactors.push("security-key");
  if (app > 0) secondFactors.push("authenticator-app");
  return {
    secondFactors,
    usableKeys: keys.filter((k) => !k.flaggedAt).map(({ credentialId, transports }) => ({ credentialId, transports })),
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
