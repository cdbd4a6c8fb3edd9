import "server-only";
import type { Principal } from "../auth/principal";
import { formatDay } from "../validation/dates";
import { adoptionSummary } from "../users/queries";
import { countUsersWhoseOnlyMethodIsSecurityKey, registeredKeyModels } from "./queries";
import { roleRequirementWarnings } from "./role-requirements";
import { keysRefusedUnder, mfaRequirement, type PolicyValues } from "./rules";

// What a Session Settings change would do at once that an admin should see
// before it takes effect (DESIGN.md sections 3 and 14). One function answers
// for every caller that changes the settings: the Admin API's dry run and
// write (app/api/v1/session-settings) and the page's save. A setting whose
// change can surprise adds its warning here, and nowhere else.

export type SettingsWarningCode = "users-left-without-method" | "keys-would-stop-working" | "mfa-required-at-once";

export interface SettingsWarning {
  /** Stable, for scripts: one per kind of warning. */
  code: SettingsWarningCode | (string & {});
  /** The sentence the page shows. */
  message: string;
}

const usersWord = (n: number) => `${n} user${n === 1 ? "" : "s"}`;
export const keysWord = (n: number) => `${n} registered key${n === 1 ? "" : "s"}`;

/** Turning keys off while some users' only method is a key: they would be left without one. */
async function usersLeftWithoutMethod(principal: Principal, current: PolicyValues, next: PolicyValues): Promise<SettingsWarning[]> {
  if (!current.allowSecurityKeys || next.allowSecurityKeys) return [];
  const count = await countUsersWhoseOnlyMethodIsSecurityKey(principal);
  if (count === 0) return [];
  return [{ code: "users-left-without-method", message: `${usersWord(count)} can only verify their identity with a security key.` }];
}

/** Registered keys the new key policy would refuse at their next use, beyond those the current one refuses already. */
async function keysWouldStopWorking(principal: Principal, current: PolicyValues, next: PolicyValues): Promise<SettingsWarning[]> {
  if (!next.allowSecurityKeys) return [];
  const policyChanged =
    current.authenticatorType !== next.authenticatorType ||
    current.requireVerifiedModels !== next.requireVerifiedModels ||
    current.allowedAaguids.join() !== next.allowedAaguids.join() ||
    current.blockedAaguids.join() !== next.blockedAaguids.join();
  if (!policyChanged) return [];
  const keys = await registeredKeyModels(principal);
  const stopping = Math.max(0, keysRefusedUnder(next, keys) - keysRefusedUnder(current, keys));
  if (stopping === 0) return [];
  return [
    {
      code: "keys-would-stop-working",
      message: `${keysWord(stopping)} would stop working with these settings: their users will have to verify another way or register an accepted key.`,
    },
  ];
}

/** MFA that becomes required at once (on with no date, or a date today or past), and who has no second factor yet. */
async function mfaRequiredAtOnce(principal: Principal, current: PolicyValues, next: PolicyValues, now: Date): Promise<SettingsWarning[]> {
  if (mfaRequirement(next, now) !== "required" || mfaRequirement(current, now) === "required") return [];
  const { withNothing } = await adoptionSummary(principal);
  const who =
    withNothing === 0
      ? "Every active user already has a second factor."
      : `${withNothing} active user${withNothing === 1 ? " has" : "s have"} no second factor yet and must register one at their next login.`;
  const day = next.mfaRequiredFrom ? ` (${formatDay(next.mfaRequiredFrom)} is today or past)` : "";
  return [{ code: "mfa-required-at-once", message: `MFA will be required at once${day}. ${who}` }];
}

/**
 * The warnings a change from `current` to `next` raises, in form order. Reads
 * the org's users and keys with the principal's permissions (setup:read).
 */
export async function settingsWarnings(principal: Principal, current: PolicyValues, next: PolicyValues, now = new Date()): Promise<SettingsWarning[]> {
  const found = await Promise.all([
    usersLeftWithoutMethod(principal, current, next),
    keysWouldStopWorking(principal, current, next),
    mfaRequiredAtOnce(principal, current, next, now),
    // Requirements by role (DESIGN.md section 14): who has no accepted key, and whether it applies at once.
    roleRequirementWarnings(principal, current, next, now),
  ]);
  return found.flat();
}
