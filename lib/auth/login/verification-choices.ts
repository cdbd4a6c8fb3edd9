import "server-only";
import { db } from "../../db/client";
import { maskEmail } from "../../format";
import { keyRequirementStatus } from "../../policy/role-requirements";
import { userMethods } from "../../verification/methods";
import { countRecoveryCodesLeft } from "../../verification/recovery-codes";
import { hasTemporaryCode } from "../../verification/temporary-codes";
import { countOtherActiveAdmins, recoveryRouteOf, type RecoveryRoute } from "../../users/recovery-route";
import type { PendingLoginSubject } from "../org-context";
import { isLockedFor } from "./second-factor-failures";

// What /verify offers a pending login: the methods the user has and the org
// allows, less the codes while the step is locked.

export type LoginMethod = "security-key" | "authenticator-app" | "recovery-code" | "temporary-code" | "email-code";

export interface VerificationChoices {
  userName: string;
  orgName: string;
  needs: { secondFactor: boolean; deviceActivation: boolean };
  /** In the order /verify offers them. */
  methods: LoginMethod[];
  /** Where an emailed code goes, partly hidden ("a•••@acme.test"). */
  emailHint: string | null;
  emailCodeSent: boolean;
  expiresAt: Date;
  /** Keys not offered because they were flagged as possible clones (the user is told why). */
  flaggedKeyNames: string[];
  /** "Admin recovery required": who recovers the account (the org's only active admin needs the operator), else null. */
  adminRecovery: RecoveryRoute | null;
  /** Too many failed codes: this browser is offered only a key and an admin's temporary code. */
  secondFactorLocked: boolean;
}

/** What /verify shows for a pending login. */
export async function verificationChoices(pending: PendingLoginSubject): Promise<VerificationChoices> {
  const user = await db().user.findFirstOrThrow({ where: { id: pending.userId, orgId: pending.orgId }, include: { org: true } });
  const methods: LoginMethod[] = [];
  const available = await userMethods(pending);
  const locked = isLockedFor(pending, user.secondFactorFailures);
  if (available.usableKeys.length > 0) methods.push("security-key");
  // The role's "Security key only" in force and an accepted key: the key, not the app (break-glass codes stay).
  const keyRule = await keyRequirementStatus(pending);
  const keyOnly = Boolean(keyRule?.inForce && keyRule.met);
  if (available.usableApp && !locked && !keyOnly) methods.push("authenticator-app");
  if (!available.adminRecoveryRequired && !locked && (await countRecoveryCodesLeft(pending)) > 0) methods.push("recovery-code");
  if (await hasTemporaryCode(pending)) methods.push("temporary-code");
  // The emailed code proves only the mailbox: it activates a browser, never stands in for a second factor.
  if (pending.needsDeviceActivation && !pending.needsSecondFactor && !locked) methods.push("email-code");
  return {
    userName: user.name,
    orgName: user.org.name,
    needs: { secondFactor: pending.needsSecondFactor, deviceActivation: pending.needsDeviceActivation },
    methods,
    emailHint: methods.includes("email-code") ? maskEmail(user.email) : null,
    emailCodeSent: Boolean(pending.emailCodeExpiresAt && pending.emailCodeExpiresAt > new Date()),
    expiresAt: pending.expiresAt,
    flaggedKeyNames: pending.policy.allowSecurityKeys
      ? (
          await db().securityKey.findMany({
            where: { userId: pending.userId, orgId: pending.orgId, flaggedAt: { not: null } },
            select: { name: true },
            orderBy: { createdAt: "asc" },
          })
        ).map((k) => k.name)
      : [],
    adminRecovery: available.adminRecoveryRequired ? recoveryRouteOf(await countOtherActiveAdmins(pending)) : null,
    secondFactorLocked: locked,
  };
}
