import "server-only";
import { formatDateTime } from "../format";
import { FACTOR_NAMES } from "../users/factor-suspension";
import type { VerificationActivity, VerificationMethod } from "../verification/history";
import { USERS, type Projector, type ProjectorTable, type VerificationProjection } from "./projection-rows";

// A user's credentials (security keys, authenticator app, recovery and
// temporary codes, password) and what a "This wasn't me" report did to them:
// the user's own changes go to Identity Verification History, an admin's or
// the operator's to the Setup Audit Trail.

/** The trail's action for an admin's "Reset password". */
export const ADMIN_RESET_ACTION = "Reset password";

const succeeded = (method: VerificationMethod, activity: VerificationActivity, detail?: string): VerificationProjection => ({
  method,
  activity,
  result: "Succeeded",
  ...(detail ? { detail } : {}),
});

const suspendedFactorSettled: Projector<"user.suspended_factor.restored" | "user.suspended_factor.removed"> = (event) => {
  const restore = event.type === "user.suspended_factor.restored";
  const { user, data } = event;
  return {
    audit: {
      action: `${restore ? "Restored" : "Removed"} suspended ${FACTOR_NAMES[data.factor]}`,
      section: USERS,
      targetId: user.id,
      oldValue: `${user.username}: ${data.name}, suspended after “This wasn't me”`,
      newValue: restore ? "Usable again" : "Removed",
    },
  };
};

export const credentialProjectors = {
  "user.security_key.registered": (event) => ({ verification: succeeded("Security key", "Register security key", event.credential.name) }),
  "user.security_key.registration_failed": (event) => ({
    verification: { method: "Security key", activity: "Register security key", result: "Failed", detail: event.data.reason },
  }),
  "user.security_key.removed": (event, { actorName }) => {
    const { user, credential, data } = event;
    if (data.by === "self") return { verification: succeeded("Security key", "Remove security key", credential.name) };
    return {
      audit: {
        action: "Removed security key",
        section: USERS,
        targetId: user.id,
        oldValue: `${user.username}: ${credential.name}`,
        newValue: `Reason: ${data.reason}`,
      },
      verification: succeeded("Security key", "Remove security key", `Removed by ${actorName ?? "an admin"}: ${data.reason}`),
    };
  },
  // A name is the user's label, not a security fact: the stream has it, the history pages do not.
  "user.security_key.renamed": () => ({}),
  "user.security_key.flagged": (event) => ({
    audit: {
      action: "Flagged possible cloned key",
      section: USERS,
      targetId: event.user.id,
      newValue: `${event.credential.name}: ${event.data.reason === "counter-regression" ? "its sign counter went backwards" : "its backup eligibility changed"}`,
    },
  }),
  "user.security_key.flag_cleared": (event) => {
    const { user, credential, data } = event;
    return {
      audit: {
        action: "Cleared possible cloned key flag",
        section: USERS,
        targetId: user.id,
        oldValue: `${user.username}: ${credential.name} flagged ${formatDateTime(data.flaggedAt)}`,
        newValue: "Usable again",
      },
    };
  },
  "user.authenticator_app.connected": () => ({ verification: succeeded("Authenticator app", "Connect authenticator app") }),
  "user.authenticator_app.disconnected": (event) => {
    if (event.data.by === "self") return { verification: succeeded("Authenticator app", "Disconnect authenticator app") };
    return { audit: { action: "Disconnected authenticator app", section: USERS, targetId: event.user.id, newValue: event.user.username } };
  },
  "user.recovery_codes.generated": (event) => ({
    verification: succeeded("Recovery code", "Generate recovery codes", event.data.replaced ? "Replaced the previous set" : undefined),
  }),
  "user.recovery_codes.invalidated": (event) => ({
    audit: { action: "Invalidated recovery codes", section: USERS, targetId: event.user.id, newValue: `${event.user.username}: ${event.data.count} codes` },
  }),
  "user.temporary_code.issued": (event) => {
    const { user, data } = event;
    const by = data.byOperator ? `, by the operator (npm run user:recover)${data.withSetPasswordLink ? ", with a set-password link" : ""}` : "";
    return {
      audit: {
        action: "Issued temporary verification code",
        section: USERS,
        targetId: user.id,
        newValue: `${user.username}: valid ${data.hours} h, until ${formatDateTime(data.expiresAt)}${by}`,
      },
    };
  },
  "user.password.changed": () => ({ verification: succeeded("Password", "Change password") }),
  "user.password.reset": (event) => ({
    verification: succeeded("Emailed link", "Reset password"),
    audit: { action: "Reset password with emailed link", section: USERS, targetId: event.user.id },
  }),
  "user.password.reset_requested": (event) => ({
    audit: { action: "Password reset requested", section: USERS, targetId: event.user.id, newValue: event.user.username },
  }),
  "user.password.reset_by_admin": (event) => ({
    audit: { action: ADMIN_RESET_ACTION, section: USERS, targetId: event.user.id, newValue: event.user.username },
  }),
  "user.compromise.reported": (event) => ({
    verification: succeeded("Emailed link", "Report “This wasn't me”", event.data.what),
    audit: { action: "Reported “This wasn't me”", section: USERS, targetId: event.user.id, newValue: event.data.what.slice(0, 1000) },
  }),
  "user.suspended_factor.restored": suspendedFactorSettled,
  "user.suspended_factor.removed": suspendedFactorSettled,
} satisfies Partial<ProjectorTable>;
