import type { OrgContext } from "../auth/org-context";
import { db } from "../db/client";
import type { OrgSettings } from "../db/generated/client";
import { DEFAULT_POLICY, type OrgPolicy } from "./rules";

/**
 * The policy a stored OrgSettings row describes; an org that never saved its
 * Session Settings has no row and gets the defaults of DESIGN.md (version 0).
 */
export function policyFromRow(row: OrgSettings | null | undefined): OrgPolicy {
  if (!row) return { ...DEFAULT_POLICY, version: 0, updatedAt: null };
  return {
    allowSecurityKeys: row.allowSecurityKeys,
    requireMfa: row.requireMfa,
    mfaRequiredFrom: row.mfaRequiredFrom,
    allowTotp: row.allowTotp,
    requireDeviceActivation: row.requireDeviceActivation,
    reauthWindowMinutes: row.reauthWindowMinutes,
    userVerification: row.userVerification,
    authenticatorType: row.authenticatorType,
    allowedAaguids: row.allowedAaguids ?? [],
    blockedAaguids: row.blockedAaguids ?? [],
    sessionTimeoutMinutes: row.sessionTimeoutMinutes,
    lockSessionsToIp: row.lockSessionsToIp,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/**
 * The one way every flow reads an org's identity verification and session
 * policy. Pass the signed-in user's OrgContext, or an org id taken from a
 * trusted server-side record (the user row of a login in progress, a session
 * row) — never one from a request.
 */
export async function getOrgPolicy(ctxOrOrgId: OrgContext | string): Promise<OrgPolicy> {
  const orgId = typeof ctxOrOrgId === "string" ? ctxOrOrgId : ctxOrOrgId.orgId;
  return policyFromRow(await db().orgSettings.findUnique({ where: { orgId } }));
}

/**
 * How many active users of the org would be left without a verification
 * method if security keys were turned off: those whose only method is a key.
 * Session Settings shows the count as a warning before such a save. Users who
 * also have a connected authenticator app keep a second factor and are not
 * counted (recovery codes are a backup, not a method of their own).
 */
export async function countUsersWhoseOnlyMethodIsSecurityKey(ctx: OrgContext): Promise<number> {
  return db().user.count({
    where: {
      orgId: ctx.orgId,
      isActive: true,
      securityKeys: { some: { orgId: ctx.orgId } },
      NOT: { authenticatorApp: { confirmedAt: { not: null } } },
    },
  });
}
