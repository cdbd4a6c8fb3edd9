import "server-only";
import { formatDateTime } from "../format";
import { FACTOR_NAMES } from "../users/factor-suspension";
import type { LoginResult } from "../auth/login/login";
import type { RequestInfo } from "../http/request-info";
import type { VerificationActivity, VerificationMethod, VerificationResult } from "../verification/history";
import type { SecurityEventInput, SecurityEventOf, VerificationMethodCode, VerificationPurpose } from "./types";

// The rows the Setup Audit Trail, Identity Verification History and Login
// History show, rendered from a typed event: one case per type, the only
// place their sentences are made. recordEvent writes them with the event, in
// the same statement, and gives them the event's id (as a UUID).

/** A Setup Audit Trail row's words. */
export interface AuditProjection {
  action: string;
  section: string;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
  targetId?: string;
}

/** An Identity Verification History row's words (its user is the event's target user). */
export interface VerificationProjection {
  method: VerificationMethod;
  activity: VerificationActivity;
  result: VerificationResult;
  detail?: string;
}

/** A Login History row's result (its user and username are the event's target user). */
export interface LoginProjection {
  result: LoginResult;
}

export interface Projections {
  audit?: AuditProjection;
  verification?: VerificationProjection;
  login?: LoginProjection;
}

export const METHOD_LABELS: Record<VerificationMethodCode, VerificationMethod> = {
  password: "Password",
  "security-key": "Security key",
  "password-and-security-key": "Password and security key",
  "emailed-code": "Emailed code",
  "recovery-code": "Recovery code",
  "temporary-code": "Temporary code",
  "authenticator-app": "Authenticator app",
  "emailed-link": "Emailed link",
};

/** The method a label names (login code paths carry the label: it is also stored on the pending login). */
export function methodCodeOf(label: VerificationMethod): VerificationMethodCode {
  const code = (Object.keys(METHOD_LABELS) as VerificationMethodCode[]).find((key) => METHOD_LABELS[key] === label);
  if (!code) throw new Error(`unknown verification method: ${label}`);
  return code;
}

const PURPOSE_ACTIVITIES: Record<VerificationPurpose, VerificationActivity> = {
  login: "Login",
  "device-activation": "Device activation",
  "re-authentication": "Re-authentication",
  "enrolment-email": "Prove email for enrolment",
};

const ROLE_LABELS = { ADMIN: "Admin", STANDARD: "Standard" } as const;
const USERS = "Users";

const succeeded = (method: VerificationMethod, activity: VerificationActivity, detail?: string): VerificationProjection => ({
  method,
  activity,
  result: "Succeeded",
  ...(detail ? { detail } : {}),
});

function verification(event: SecurityEventOf<"user.verification.succeeded" | "user.verification.failed">): VerificationProjection {
  const { data, credential } = event;
  const success = event.type === "user.verification.succeeded";
  // Which key, by the name it has now, and whether the login also activated this browser.
  const detail = success ? [credential?.name, data.deviceActivated ? "New device activated" : null].filter(Boolean).join(" · ") : data.detail;
  return {
    method: METHOD_LABELS[data.method],
    activity: PURPOSE_ACTIVITIES[data.purpose],
    result: success ? "Succeeded" : "Failed",
    ...(detail ? { detail } : {}),
  };
}

/** The rows an event shows as, by its type. Some sentences name the event's actor or its client's IP. */
export function projectionsOf(actorName: string | null, request: RequestInfo | null, event: SecurityEventInput): Projections {
  switch (event.type) {
    case "org.created":
      return { audit: { action: "Created org", section: "Org", newValue: `${event.org.name} (${event.org.slug})` } };
    case "org.email.refused":
      return {
        audit: {
          action: "Email refused: quota reached",
          section: "Email",
          newValue: `${event.data.template} (${event.data.scope === "recipient" ? "per-recipient" : "per-org"} hourly quota)`,
        },
      };
    case "settings.updated":
      return {
        audit: {
          action: "Changed session settings",
          section: "Session Settings",
          field: event.setting.field,
          oldValue: event.setting.old,
          newValue: event.setting.new,
        },
      };
    case "user.created": {
      const { user } = event;
      return {
        audit: { action: "Created user", section: USERS, targetId: user.id, newValue: `${user.name} <${user.username}> (${ROLE_LABELS[event.data.role]})` },
      };
    }
    case "user.invitation.sent":
      return { audit: { action: "Sent invitation", section: USERS, targetId: event.user.id, newValue: event.data.email } };
    case "user.invitation.accepted":
      return { audit: { action: "Set password from invitation", section: USERS, targetId: event.user.id } };
    case "user.username.released":
      return {
        audit: {
          action: "Username taken by its owner",
          section: USERS,
          targetId: event.user.id,
          oldValue: event.data.username,
          newValue: "The owner of this address proved it in another org; this user can no longer log in with it.",
        },
      };
    case "user.role.changed":
      return {
        audit: {
          action: "Changed role",
          section: USERS,
          field: "Role",
          targetId: event.user.id,
          oldValue: ROLE_LABELS[event.data.from],
          newValue: ROLE_LABELS[event.data.to],
        },
      };
    case "user.deactivated":
    case "user.reactivated": {
      const active = event.type === "user.reactivated";
      return {
        audit: {
          action: active ? "Reactivated user" : "Deactivated user",
          section: USERS,
          field: "Active",
          targetId: event.user.id,
          oldValue: String(!active),
          newValue: String(active),
        },
      };
    }
    case "user.session.ended": {
      const { user, data } = event;
      if (data.reason === "ip-changed") {
        return {
          audit: {
            action: "Ended session: IP address changed",
            section: "Sessions",
            targetId: user.id,
            newValue: `${user.username}: request from ${request?.ip ?? "an unknown IP"}, session locked to ${data.sessionIp ?? "an unknown IP"}`,
          },
        };
      }
      return { audit: { action: "Ended session", section: USERS, targetId: user.id, oldValue: user.username } };
    }
    case "user.device.revoked": {
      const { user, data } = event;
      return {
        audit: {
          action: "Revoked activated device",
          section: USERS,
          targetId: user.id,
          newValue: `${user.username}: device activated ${formatDateTime(data.activatedAt)} from ${data.deviceIp ?? "an unknown IP"}`,
        },
      };
    }
    case "user.login.succeeded":
      return { login: { result: "Success" } };
    case "user.login.verification_required":
      return { login: { result: "Verification required" } };
    case "user.login.locked_out":
      return { login: { result: "Locked out" } };
    case "user.login.failed": {
      const { user, data } = event;
      const login: LoginProjection = { result: data.reason === "inactive-user" ? "Inactive user" : "Invalid password" };
      // The failure that used up the username's budget also tells the admins the account is now locked out.
      if (!data.lockedOutUntil) return { login };
      return {
        login,
        audit: {
          action: "User locked out",
          section: "Login",
          targetId: user.id,
          newValue: `${user.username} after ${data.failures} failed logins, until ${formatDateTime(data.lockedOutUntil)}`,
        },
      };
    }
    case "user.verification.succeeded":
      return { verification: verification(event) };
    case "user.verification.failed": {
      const row = verification(event);
      // A failed step of a login is also a failed login.
      return event.data.purpose === "login" || event.data.purpose === "device-activation"
        ? { verification: row, login: { result: "Verification failed" } }
        : { verification: row };
    }
    case "user.security_key.registered":
      return { verification: succeeded("Security key", "Register security key", event.credential.name) };
    case "user.security_key.registration_failed":
      return { verification: { method: "Security key", activity: "Register security key", result: "Failed", detail: event.data.reason } };
    case "user.security_key.removed": {
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
    }
    case "user.security_key.renamed":
      // A name is the user's label, not a security fact: the stream has it, the history pages do not.
      return {};
    case "user.security_key.flag_cleared": {
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
    }
    case "user.authenticator_app.connected":
      return { verification: succeeded("Authenticator app", "Connect authenticator app") };
    case "user.authenticator_app.disconnected":
      if (event.data.by === "self") return { verification: succeeded("Authenticator app", "Disconnect authenticator app") };
      return { audit: { action: "Disconnected authenticator app", section: USERS, targetId: event.user.id, newValue: event.user.username } };
    case "user.recovery_codes.generated":
      return { verification: succeeded("Recovery code", "Generate recovery codes", event.data.replaced ? "Replaced the previous set" : undefined) };
    case "user.recovery_codes.invalidated":
      return {
        audit: { action: "Invalidated recovery codes", section: USERS, targetId: event.user.id, newValue: `${event.user.username}: ${event.data.count} codes` },
      };
    case "user.temporary_code.issued": {
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
    }
    case "user.password.changed":
      return { verification: succeeded("Password", "Change password") };
    case "user.password.reset":
      return {
        verification: succeeded("Emailed link", "Reset password"),
        audit: { action: "Reset password with emailed link", section: USERS, targetId: event.user.id },
      };
    case "user.password.reset_requested":
      return { audit: { action: "Password reset requested", section: USERS, targetId: event.user.id, newValue: event.user.username } };
    case "user.password.reset_by_admin":
      return { audit: { action: ADMIN_RESET_ACTION, section: USERS, targetId: event.user.id, newValue: event.user.username } };
    case "user.compromise.reported":
      return {
        verification: succeeded("Emailed link", "Report “This wasn't me”", event.data.what),
        audit: { action: "Reported “This wasn't me”", section: USERS, targetId: event.user.id, newValue: event.data.what.slice(0, 1000) },
      };
    case "user.suspended_factor.restored":
    case "user.suspended_factor.removed": {
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
    }
    case "user.admin_recovery.cleared":
      return {
        audit: {
          action: "Cleared “Admin recovery required”",
          section: USERS,
          targetId: event.user.id,
          newValue: `${event.user.username}, by the operator (npm run user:recover)`,
        },
      };
  }
}

/** The trail's action for an admin's "Reset password". */
export const ADMIN_RESET_ACTION = "Reset password";

/**
 * The key or method a stored event was about, as the Setup Audit Trail names it beside the user
 * ("security key “YubiKey 5”", "authenticator app"), or null when it was about neither.
 */
export function methodNamed(event: { type: string; targetCredentialName: string | null; data: unknown }): string | null {
  const key = () => (event.targetCredentialName ? `security key “${event.targetCredentialName}”` : "security key");
  const factor = (event.data as { factor?: string } | null)?.factor;
  if (event.type.startsWith("user.security_key.")) return key();
  if (event.type.startsWith("user.authenticator_app.")) return "authenticator app";
  if (event.type.startsWith("user.recovery_codes.")) return "recovery codes";
  if (event.type === "user.temporary_code.issued") return "temporary code";
  if (event.type.startsWith("user.password.")) return "password";
  if (event.type === "user.device.revoked") return "activated device";
  if (event.type === "user.session.ended") return "session";
  if (event.type.startsWith("user.suspended_factor."))
    return factor === "security-key" ? key() : factor ? FACTOR_NAMES[factor as keyof typeof FACTOR_NAMES] : null;
  return null;
}
