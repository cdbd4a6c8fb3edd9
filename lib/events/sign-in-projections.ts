import "server-only";
import { formatDateTime } from "../format";
import type { VerificationActivity, VerificationMethod } from "../verification/history";
import type { LoginProjection, ProjectorTable, VerificationProjection } from "./projection-rows";
import type { SecurityEventOf, VerificationMethodCode, VerificationPurpose } from "./types";

// Logins and verifications: rows of Login History and Identity Verification
// History (and the trail's row when a failure locks an account out).

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

export const signInProjectors = {
  "user.login.succeeded": () => ({ login: { result: "Success" } }),
  "user.login.verification_required": () => ({ login: { result: "Verification required" } }),
  "user.login.locked_out": () => ({ login: { result: "Locked out" } }),
  "user.login.failed": (event) => {
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
  },
  "user.verification.succeeded": (event) => ({ verification: verification(event) }),
  "user.verification.failed": (event) => {
    const row = verification(event);
    // A failed step of a login is also a failed login.
    return event.data.purpose === "login" || event.data.purpose === "device-activation"
      ? { verification: row, login: { result: "Verification failed" } }
      : { verification: row };
  },
} satisfies Partial<ProjectorTable>;
