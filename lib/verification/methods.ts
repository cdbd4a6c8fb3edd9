import { db } from "../db/client";
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
