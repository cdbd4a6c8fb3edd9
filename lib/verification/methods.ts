import { db } from "../db/client";
import { UserFacingError } from "../errors";
import { getOrgPolicy } from "../policy/queries";
import type { OrgPolicy } from "../policy/rules";

// Which verification methods a user has and may use, given their org's
// policy. The login flow asks for a second factor exactly when this is not
// empty; /verify offers these (plus the emailed code for device activation).
// Authenticator apps, recovery codes and temporary codes slot in here.

export type SecondFactor = "security-key" | "authenticator-app";

export interface UserMethods {
  /** Second factors the user registered and the org allows (a flagged key still counts: it must be replaced, not skipped). */
  secondFactors: SecondFactor[];
  /** Registered keys not flagged as possible clones: what a key verification may use. */
  usableKeys: { credentialId: string; transports: string[] }[];
}

export async function userMethods(user: { id: string; orgId: string }, policy: Pick<OrgPolicy, "allowSecurityKeys" | "allowTotp">): Promise<UserMethods> {
  const keys = policy.allowSecurityKeys
    ? await db().securityKey.findMany({
        where: { userId: user.id, orgId: user.orgId },
        select: { credentialId: true, transports: true, flaggedAt: true },
        orderBy: { createdAt: "asc" },
      })
    : [];
  const app = policy.allowTotp ? await db().authenticatorApp.count({ where: { userId: user.id, orgId: user.orgId, confirmedAt: { not: null } } }) : 0;
  const secondFactors: SecondFactor[] = [];
  if (keys.length > 0) secondFactors.push("security-key");
  if (app > 0) secondFactors.push("authenticator-app");
  return {
    secondFactors,
    usableKeys: keys.filter((k) => !k.flaggedAt).map(({ credentialId, transports }) => ({ credentialId, transports })),
  };
}

export interface MfaStatus {
  /** "Require multi-factor authentication for all direct UI logins" is on. */
  required: boolean;
  /** Required, no grace left, and the user has no second factor: they must enrol before anything else. */
  enrolmentDue: boolean;
  /** Required with a future "MFA required from" date and no second factor yet: whole days left to enrol. */
  graceDaysLeft: number | null;
  secondFactors: SecondFactor[];
}

/** Where a user stands against their org's MFA requirement. */
export async function mfaStatus(
  user: { id: string; orgId: string },
  policy: Pick<OrgPolicy, "allowSecurityKeys" | "allowTotp" | "requireMfa" | "mfaRequiredFrom">,
  now = new Date(),
): Promise<MfaStatus> {
  const { secondFactors } = await userMethods(user, policy);
  const missing = policy.requireMfa && secondFactors.length === 0;
  const inGrace = Boolean(policy.mfaRequiredFrom && policy.mfaRequiredFrom.getTime() > now.getTime());
  return {
    required: policy.requireMfa,
    enrolmentDue: missing && !inGrace,
    graceDaysLeft: missing && inGrace ? Math.ceil((policy.mfaRequiredFrom!.getTime() - now.getTime()) / 86_400_000) : null,
    secondFactors,
  };
}

/** The refusal when removing a method would leave a user of an MFA org without any. */
export const LAST_METHOD_REFUSAL =
  "Your org requires multi-factor authentication, so you can't remove your last verification method. Register another key or connect an authenticator app first.";

/**
 * Refuses (with LAST_METHOD_REFUSAL) a user's own removal of a second factor
 * when their org requires MFA and it is the last one they have.
 */
export async function assertNotLastRequiredMethod(owner: { orgId: string; userId: string }, removing: SecondFactor): Promise<void> {
  const policy = await getOrgPolicy(owner.orgId);
  if (!policy.requireMfa) return;
  const { secondFactors } = await userMethods({ id: owner.userId, orgId: owner.orgId }, policy);
  const others = secondFactors.filter((f) => f !== removing);
  const remainingKeys =
    removing === "security-key" ? (await db().securityKey.count({ where: { userId: owner.userId, orgId: owner.orgId } })) - 1 : 0;
  if (others.length === 0 && remainingKeys <= 0) throw new UserFacingError(LAST_METHOD_REFUSAL);
}
