import "server-only";
import type { OrgPolicy } from "../policy/rules";
import type { KeyPolicy } from "./verify";

/** What the key flows need from an org's Session Settings. */
export interface KeySettings {
  /** "Let users verify their identity with a physical security key (U2F)". */
  keysAllowed: boolean;
  /** "Re-authentication window for registering a verification method (minutes)". */
  reauthWindowMinutes: number;
  policy: KeyPolicy;
}

export const MAX_KEYS_PER_USER = 10;

const USER_VERIFICATION = { DISCOURAGED: "discouraged", PREFERRED: "preferred", REQUIRED: "required" } as const;

export function keySettingsOf(policy: OrgPolicy): KeySettings {
  return {
    keysAllowed: policy.allowSecurityKeys,
    reauthWindowMinutes: policy.reauthWindowMinutes,
    policy: {
      userVerification: USER_VERIFICATION[policy.userVerification],
      authenticatorType: policy.authenticatorType === "SECURITY_KEYS_ONLY" ? "cross-platform" : "any",
      requireVerifiedModel: policy.requireVerifiedModels,
      allowedAaguids: policy.allowedAaguids,
      blockedAaguids: policy.blockedAaguids,
    },
  };
}
