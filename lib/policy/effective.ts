import "server-only";
import { cache } from "react";
import { db } from "../db/client";
import type { OrgSettings, Role } from "../db/generated/client";
import { policyFromRow, roleRequirementOf, type OrgPolicy } from "./rules";

// The policy a user is held to: their org's Session Settings as they apply to
// their role (DESIGN.md section 14: the role's "Required verification" and
// whether it is in force today, as `roleRequirement`). Every flow takes it from its subject (OrgContext,
// PendingLoginSubject, PasswordCheckedUser), which derived it once per request
// through `effectivePolicy`: from the settings row its resolver already read
// with the session, pending login or user row, or else through `policyFor`.
//
// Where the policy is enforced (one answer per question):
// - At login, the password step: lib/auth/login/login.ts asks which second factors
//   count and are needed (lib/verification/methods.ts userMethods, under
//   allowSecurityKeys / allowTotp) and whether this browser needs device
//   activation (requireDeviceActivation).
// - On /verify: lib/auth/login/verification-choices.ts offers only the methods the
//   policy allows (allowSecurityKeys, allowTotp via userMethods), and asks the
//   key for the policy's user verification.
// - At every key assertion (login, device activation, "verify it's you"):
//   lib/webauthn/assertion.ts applies lib/webauthn/key-policy.ts (blocked and
//   allowed models, verified models only, physical keys only, user verification).
// - At key registration: lib/webauthn/registration.ts (the same key policy,
//   and allowSecurityKeys).
// - On every signed-in request: lib/auth/session.ts ends idle sessions
//   (sessionTimeoutMinutes) and sessions used from another IP
//   (lockSessionsToIp); lib/auth/context.ts computes the MFA requirement
//   (requireMfa, mfaRequiredFrom) that limits a session to enrolment.
// - For sensitive changes: lib/auth/freshness.ts (reauthWindowMinutes), and
//   lib/verification/methods.ts refuses removing the last required factor.
// - Per-role requirements ("Security key only", DESIGN.md section 14), from
//   `roleRequirement`: lib/verification/methods.ts mfaStatus says whether the
//   user meets it (lib/policy/role-requirements.ts: what counts as a key), and
//   lib/auth/context.ts limits a session that does not, once in force, to
//   registering a key (with "verify it's you" and the mailbox proof of
//   lib/auth/freshness.ts); lib/auth/login/verify-app-code.ts refuses the app
//   at login and device activation to a user who has a key;
//   lib/auth/login/break-glass.ts emails the user and the admins when a
//   recovery or temporary code is used instead; removing one's own last
//   accepted key is refused in lib/verification/methods.ts.
// Which second factors count: lib/verification/second-factors.ts.

/**
 * The effective policy of a user of `role`, from their org's OrgSettings row (null: the org never saved, the
 * defaults): the org's policy with the role's requirement and whether it is in force at `now`. Pure.
 */
export function effectivePolicy(settings: OrgSettings | null | undefined, role: Role, now = new Date()): OrgPolicy {
  const policy = policyFromRow(settings);
  return { ...policy, roleRequirement: roleRequirementOf(policy, role, now) };
}

/**
 * The org's effective policy for a role, read once per request (React's
 * request cache; outside a request, once per call). For flows whose subject
 * was not resolved with the settings row in the same query.
 */
export const policyFor = cache(async (orgId: string, role: Role): Promise<OrgPolicy> => {
  return effectivePolicy(await db().orgSettings.findUnique({ where: { orgId } }), role);
});
