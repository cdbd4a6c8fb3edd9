import type { OrgSettings } from "../db/generated/client";
import type { AuthenticatorType, Role, RoleRequirement, UserVerification } from "../db/generated/enums";
import { formatDate } from "../format";
import { ROLE_REQUIREMENT_LABELS, type KeyRequirementStatus, type RoleRequirementState } from "./role-rules";

// An org's identity verification and session policy (DESIGN.md section 3):
// its values, defaults, labels and the pure rules later flows apply to it.
// Labels are the contract's wording, word for word.

export type { AuthenticatorType, Role, RoleRequirement, UserVerification };
// Requirements by role's own pure rules (DESIGN.md section 14), re-exported: the policy's one entry point.
export * from "./role-rules";

export interface PolicyValues {
  allowSecurityKeys: boolean;
  requireMfa: boolean;
  /** "MFA required from": a UTC day before which users may skip MFA; null = no grace period. */
  mfaRequiredFrom: Date | null;
  allowTotp: boolean;
  requireDeviceActivation: boolean;
  reauthWindowMinutes: number;
  userVerification: UserVerification;
  authenticatorType: AuthenticatorType;
  /** "Accept only verified key models": keys must prove their model by attestation (also implied by either model list). */
  requireVerifiedModels: boolean;
  /** Lower-case canonical AAGUIDs, sorted, no duplicates. */
  allowedAaguids: readonly string[];
  blockedAaguids: readonly string[];
  /** Requirements by role (DESIGN.md section 14): "Required verification" of admins, and its optional "Required from" (a UTC day; null = at once). */
  adminRequirement: RoleRequirement;
  adminRequiredFrom: Date | null;
  standardRequirement: RoleRequirement;
  standardRequiredFrom: Date | null;
  sessionTimeoutMinutes: number;
  lockSessionsToIp: boolean;
}

export interface OrgPolicy extends PolicyValues {
  /** 0 until an admin first saves; a save must name the version it was loaded from. */
  readonly version: number;
  readonly updatedAt: Date | null;
  /** The requirement of the role this policy was derived for (lib/policy/effective.ts); absent on the org's stored policy. */
  readonly roleRequirement?: RoleRequirementState;
}

export type PolicyField = keyof PolicyValues;

/** Must match the column defaults of OrgSettings in prisma/schema.prisma. */
export const DEFAULT_POLICY: Readonly<PolicyValues> = Object.freeze({
  allowSecurityKeys: false,
  requireMfa: false,
  mfaRequiredFrom: null,
  allowTotp: true,
  requireDeviceActivation: true,
  reauthWindowMinutes: 10,
  userVerification: "DISCOURAGED",
  authenticatorType: "SECURITY_KEYS_ONLY",
  requireVerifiedModels: false,
  allowedAaguids: [],
  blockedAaguids: [],
  adminRequirement: "ANY_METHOD",
  adminRequiredFrom: null,
  standardRequirement: "ANY_METHOD",
  standardRequiredFrom: null,
  sessionTimeoutMinutes: 120,
  lockSessionsToIp: false,
});

export const REAUTH_WINDOW_RANGE = { min: 1, max: 60 } as const;
export const MAX_AAGUIDS_PER_LIST = 100;

/** "Timeout value" choices in minutes: 15 minutes … 24 hours, like a CRM's select. */
export const TIMEOUT_CHOICES = [15, 30, 60, 120, 240, 480, 720, 1440] as const;

export const FIELD_LABELS: Record<PolicyField, string> = {
  allowSecurityKeys: "Let users verify their identity with a physical security key (U2F)",
  requireMfa: "Require multi-factor authentication for all direct UI logins",
  mfaRequiredFrom: "MFA required from",
  allowTotp: "Let users verify their identity with an authenticator app (TOTP)",
  requireDeviceActivation: "Require identity verification on new devices",
  reauthWindowMinutes: "Re-authentication window for registering a verification method (minutes)",
  userVerification: "User verification",
  authenticatorType: "Authenticator type",
  requireVerifiedModels: "Accept only verified key models",
  allowedAaguids: "Allowed authenticator models",
  blockedAaguids: "Blocked authenticator models",
  adminRequirement: "Admin: required verification",
  adminRequiredFrom: "Admin: required from",
  standardRequirement: "Standard: required verification",
  standardRequiredFrom: "Standard: required from",
  sessionTimeoutMinutes: "Timeout value",
  lockSessionsToIp: "Lock sessions to the IP address from which they originated",
};

/** Form and audit order: the order of DESIGN.md section 3. */
export const POLICY_FIELDS = Object.keys(FIELD_LABELS) as PolicyField[];

export const USER_VERIFICATION_LABELS: Record<UserVerification, string> = {
  DISCOURAGED: "Discouraged",
  PREFERRED: "Preferred",
  REQUIRED: "Required",
};

export const AUTHENTICATOR_TYPE_LABELS: Record<AuthenticatorType, string> = {
  SECURITY_KEYS_ONLY: "Physical security keys only",
  SECURITY_KEYS_AND_PASSKEYS: "Security keys and passkeys on this device",
};

export function timeoutLabel(minutes: number): string {
  if (minutes < 60 || minutes % 60 !== 0) return `${minutes} minutes`;
  const hours = minutes / 60;
  return `${hours} hour${hours === 1 ? "" : "s"}`;
}

/** A policy value as the Setup Audit Trail shows it: booleans as True/False, choices by their label. */
export function formatPolicyValue<F extends PolicyField>(field: F, value: PolicyValues[F]): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (field === "sessionTimeoutMinutes") return timeoutLabel(value as number);
  if (field === "userVerification") return USER_VERIFICATION_LABELS[value as UserVerification];
  if (field === "authenticatorType") return AUTHENTICATOR_TYPE_LABELS[value as AuthenticatorType];
  if (field === "adminRequirement" || field === "standardRequirement") return ROLE_REQUIREMENT_LABELS[value as RoleRequirement];
  if (value instanceof Date) return formatDate(value);
  if (Array.isArray(value)) return value.length ? value.join(", ") : "None";
  if (value === null) return "None";
  return String(value);
}

export interface PolicyChange {
  field: PolicyField;
  label: string;
  oldValue: string;
  newValue: string;
}

/** The fields that differ between two policies, in form order, formatted for the audit trail. */
export function diffPolicies(before: PolicyValues, after: PolicyValues): PolicyChange[] {
  const changes: PolicyChange[] = [];
  for (const field of POLICY_FIELDS) {
    const oldValue = formatPolicyValue(field, before[field]);
    const newValue = formatPolicyValue(field, after[field]);
    // Formatted values are canonical (lists are stored sorted, days in UTC): equal text, equal value.
    if (oldValue !== newValue) changes.push({ field, label: FIELD_LABELS[field], oldValue, newValue });
  }
  return changes;
}

/** Idle timeout of the org's sessions, in milliseconds. */
export function idleTimeoutMs(policy: Pick<PolicyValues, "sessionTimeoutMinutes">): number {
  return policy.sessionTimeoutMinutes * 60_000;
}

/**
 * Whether a user without a second factor must register one now:
 * "off" (org does not require MFA), "grace" (required, but before "MFA required from"), "required".
 */
export function mfaRequirement(policy: Pick<PolicyValues, "requireMfa" | "mfaRequiredFrom">, now = new Date()): "off" | "grace" | "required" {
  if (!policy.requireMfa) return "off";
  if (policy.mfaRequiredFrom && now.getTime() < policy.mfaRequiredFrom.getTime()) return "grace";
  return "required";
}

/** Whether an authenticator model may be used: never when blocked; only listed ones when an allow-list is set. */
export function authenticatorModelVerdict(
  policy: Pick<PolicyValues, "allowedAaguids" | "blockedAaguids">,
  aaguid: string,
): "allowed" | "blocked" | "not-listed" {
  const id = aaguid.toLowerCase();
  if (policy.blockedAaguids.includes(id)) return "blocked";
  return policy.allowedAaguids.length === 0 || policy.allowedAaguids.includes(id) ? "allowed" : "not-listed";
}

/**
 * The policy a stored OrgSettings row describes; an org that never saved its
 * Session Settings has no row and gets the defaults of DESIGN.md (version 0).
 * This is the org's stored policy (what Session Settings edits); what a user
 * is held to is effectivePolicy(row, role) in ./effective.ts.
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
    requireVerifiedModels: row.requireVerifiedModels,
    allowedAaguids: row.allowedAaguids ?? [],
    blockedAaguids: row.blockedAaguids ?? [],
    adminRequirement: row.adminRequirement ?? "ANY_METHOD",
    adminRequiredFrom: row.adminRequiredFrom ?? null,
    standardRequirement: row.standardRequirement ?? "ANY_METHOD",
    standardRequiredFrom: row.standardRequiredFrom ?? null,
    sessionTimeoutMinutes: row.sessionTimeoutMinutes,
    lockSessionsToIp: row.lockSessionsToIp,
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** Second factors a user can have (recovery codes are a backup, not a method of their own). */
export type SecondFactor = "security-key" | "authenticator-app";

export interface MfaStatus {
  /** "Require multi-factor authentication for all direct UI logins" is on. */
  required: boolean;
  /** Required, no grace left, and the user has no second factor: they must enrol before anything else. */
  enrolmentDue: boolean;
  /** Required with a future "MFA required from" date and no second factor yet: whole days left to enrol. */
  graceDaysLeft: number | null;
  secondFactors: SecondFactor[];
  /** The user's role requires a security key ("Security key only", DESIGN.md section 14); null when it does not. */
  keyRequirement: KeyRequirementStatus | null;
}

/** Where a user with these second factors stands against the org's MFA requirement. */
export function mfaStatusOf(
  policy: Pick<PolicyValues, "requireMfa" | "mfaRequiredFrom">,
  secondFactors: SecondFactor[],
  now = new Date(),
  keyRequirement: KeyRequirementStatus | null = null,
): MfaStatus {
  const requirement = mfaRequirement(policy, now);
  const missing = requirement !== "off" && secondFactors.length === 0;
  return {
    required: requirement !== "off",
    enrolmentDue: missing && requirement === "required",
    graceDaysLeft: missing && requirement === "grace" ? Math.ceil((policy.mfaRequiredFrom!.getTime() - now.getTime()) / 86_400_000) : null,
    secondFactors,
    keyRequirement,
  };
}

/** How many of an org's registered keys share one model and proof state (Session Settings' "would stop working" count). */
export interface RegisteredKeyModel {
  aaguid: string;
  proven: boolean;
  /** Backup eligible (a synced passkey): not a physical key. */
  platform: boolean;
  count: number;
}

/** Whether keys must prove their model: "Accept only verified key models", or any model list (a list means nothing without proof). */
export function modelProofRequired(policy: Pick<PolicyValues, "requireVerifiedModels" | "allowedAaguids" | "blockedAaguids">): boolean {
  return policy.requireVerifiedModels || policy.allowedAaguids.length > 0 || policy.blockedAaguids.length > 0;
}

/**
 * How many registered keys a key policy would refuse at their next use: a
 * blocked model, a model off the allow-list, an unproven model when proof is
 * required, a passkey under physical keys only. The same rules
 * lib/webauthn/key-policy.ts applies at every assertion.
 */
export function keysRefusedUnder(
  policy: Pick<PolicyValues, "allowedAaguids" | "blockedAaguids" | "authenticatorType" | "requireVerifiedModels">,
  keys: readonly RegisteredKeyModel[],
): number {
  const keysOnly = policy.authenticatorType === "SECURITY_KEYS_ONLY";
  const needsProof = modelProofRequired(policy);
  return keys
    .filter((key) => {
      const verdict = authenticatorModelVerdict(policy, key.aaguid);
      return verdict !== "allowed" || (needsProof && !key.proven) || (keysOnly && key.platform);
    })
    .reduce((sum, key) => sum + key.count, 0);
}
