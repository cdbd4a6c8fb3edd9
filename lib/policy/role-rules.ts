import { daysUntil } from "../format";
import type { PolicyField, PolicyValues, Role, RoleRequirement } from "./rules";

// Requirements by role (DESIGN.md section 14), the pure part: a role's
// "Required verification" and "Required from", whether it is in force, and
// where a user stands against it. What counts as a key, and the queries:
// ./role-requirements.ts. Client components may import this file.

/** A role's "Required verification" as it applies to one user of that role (effectivePolicy derives it). */
export interface RoleRequirementState {
  role: Role;
  requirement: RoleRequirement;
  /** "Required from" (a UTC day); null = from the save on. */
  requiredFrom: Date | null;
  /** "Security key only" and its day has come (UTC, like "MFA required from"). */
  inForce: boolean;
}

export const ROLE_REQUIREMENT_LABELS: Record<RoleRequirement, string> = {
  ANY_METHOD: "Any method the org allows",
  SECURITY_KEY: "Security key only",
};

/** The two fields of a role's requirement, by role. */
export const ROLE_REQUIREMENT_FIELDS = {
  ADMIN: { requirement: "adminRequirement", requiredFrom: "adminRequiredFrom" },
  STANDARD: { requirement: "standardRequirement", requiredFrom: "standardRequiredFrom" },
} as const satisfies Record<Role, { requirement: PolicyField; requiredFrom: PolicyField }>;

/** A role's requirement under a policy, and whether it is in force at `now` (from 00:00 UTC of "Required from"). Pure. */
export function roleRequirementOf(
  policy: Pick<PolicyValues, "adminRequirement" | "adminRequiredFrom" | "standardRequirement" | "standardRequiredFrom">,
  role: Role,
  now = new Date(),
): RoleRequirementState {
  const fields = ROLE_REQUIREMENT_FIELDS[role];
  const requirement = policy[fields.requirement];
  const requiredFrom = policy[fields.requiredFrom];
  const inForce = requirement === "SECURITY_KEY" && (!requiredFrom || now.getTime() >= requiredFrom.getTime());
  return { role, requirement, requiredFrom, inForce };
}

/** Where a user stands against their role's "Security key only". */
export interface KeyRequirementStatus {
  requiredFrom: Date | null;
  inForce: boolean;
  /** The user has a key the org's key policy accepts (lib/policy/role-requirements.ts meetsRoleRequirement). */
  met: boolean;
  /** In force and not met: the session may only register a key (like enrolmentDue). */
  due: boolean;
  /** Not met and before "Required from": whole days left to register a key. */
  daysLeft: number | null;
}

/** A role's key requirement and whether the user meets it, as a status (null when the role does not require a key). Pure. */
export function keyRequirementStatusOf(requirement: RoleRequirementState | undefined, met: boolean, now = new Date()): KeyRequirementStatus | null {
  if (!requirement || requirement.requirement !== "SECURITY_KEY") return null;
  const { requiredFrom, inForce } = requirement;
  return { requiredFrom, inForce, met, due: inForce && !met, daysLeft: !met && !inForce && requiredFrom ? daysUntil(requiredFrom, now) : null };
}
