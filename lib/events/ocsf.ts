import type { SerializedEvent } from "./serialize";

// OCSF 1.x (https://schema.ocsf.io, 1.3.0) for SIEMs: the pull API's
// `?format=ocsf` and anything else that wants the same events in that shape.
// One mapping per event type:
//
// | Gatehouse type                                  | OCSF class (class_uid)         | activity_id                         |
// |-------------------------------------------------|--------------------------------|-------------------------------------|
// | user.login.succeeded / failed / verification_required | Authentication (3002)    | 1 Logon                             |
// | user.verification.succeeded / failed (login)    | Authentication (3002)          | 1 Logon                             |
// | user.verification.* (device activation)         | Authentication (3002)          | 1 Logon                             |
// | user.verification.* (re-authentication, email)  | Authentication (3002)          | 99 Other                            |
// | user.session.ended                              | Authentication (3002)          | 2 Logoff                            |
// | user.security_key.registered, authenticator_app.connected, recovery_codes.generated, security_key.flag_cleared, suspended_factor.restored | Account Change (3001) | 10 MFA Factor Enable |
// | user.security_key.removed, authenticator_app.disconnected, recovery_codes.invalidated, security_key.flagged, suspended_factor.removed | Account Change (3001) | 11 MFA Factor Disable |
// | user.created                                    | Account Change (3001)          | 1 Create                            |
// | user.reactivated                                | Account Change (3001)          | 2 Enable                            |
// | user.password.changed                           | Account Change (3001)          | 3 Password Change                   |
// | user.password.reset, reset_by_admin             | Account Change (3001)          | 4 Password Reset                    |
// | user.deactivated                                | Account Change (3001)          | 5 Disable                           |
// | user.login.locked_out                           | Account Change (3001)          | 9 Lock                              |
// | other user.* (invitations, devices, codes, reports, renames...) | Account Change (3001) | 99 Other                    |
// | user.role.changed                               | User Access Management (3005)  | 1 Assign / 2 Revoke Privileges      |
// | org.created, webhook.endpoint.created           | Entity Management (3004)       | 1 Create                            |
// | settings.updated, webhook.endpoint.updated / paused / resumed / secret_rotated | Entity Management (3004) | 3 Update |
// | webhook.endpoint.deleted                        | Entity Management (3004)       | 4 Delete                            |
// | everything else (org.email.refused, api_token.*, legacy.audit) | Entity Management (3004) | 99 Other                     |
//
// Every record: category_uid 3 (Identity & Access Management), type_uid =
// class_uid × 100 + activity_id, time (ms), status_id 1 Success / 2 Failure,
// metadata.uid = the event id, metadata.tenant_uid = the org, metadata.sequence
// = the org's seq, and the Gatehouse event itself under `unmapped`.

export const OCSF_VERSION = "1.3.0";

const CLASSES = {
  3001: "Account Change",
  3002: "Authentication",
  3004: "Entity Management",
  3005: "User Access Management",
} as const;
type ClassUid = keyof typeof CLASSES;

const ACTIVITIES: Record<ClassUid, Record<number, string>> = {
  3001: {
    1: "Create",
    2: "Enable",
    3: "Password Change",
    4: "Password Reset",
    5: "Disable",
    9: "Lock",
    10: "MFA Factor Enable",
    11: "MFA Factor Disable",
    99: "Other",
  },
  3002: { 1: "Logon", 2: "Logoff", 99: "Other" },
  3004: { 1: "Create", 3: "Update", 4: "Delete", 99: "Other" },
  3005: { 1: "Assign Privileges", 2: "Revoke Privileges", 99: "Other" },
};

/** OCSF authentication factor types (Authentication Factor object, factor_type_id). */
const FACTORS = {
  password: { factor_type_id: 11, factor_type: "Password" },
  webauthn: { factor_type_id: 10, factor_type: "WebAuthn" },
  otp: { factor_type_id: 7, factor_type: "OTP" },
  email: { factor_type_id: 8, factor_type: "Email" },
  other: { factor_type_id: 99, factor_type: "Other" },
} as const;

const FACTORS_OF_METHOD: Record<string, (keyof typeof FACTORS)[]> = {
  password: ["password"],
  "security-key": ["webauthn"],
  "password-and-security-key": ["password", "webauthn"],
  "emailed-code": ["email"],
  "emailed-link": ["email"],
  "authenticator-app": ["otp"],
  "recovery-code": ["other"],
  "temporary-code": ["other"],
};

const ENABLE = new Set([
  "user.security_key.registered",
  "user.authenticator_app.connected",
  "user.recovery_codes.generated",
  "user.security_key.flag_cleared",
  "user.suspended_factor.restored",
]);
const DISABLE = new Set([
  "user.security_key.removed",
  "user.authenticator_app.disconnected",
  "user.recovery_codes.invalidated",
  "user.security_key.flagged",
  "user.suspended_factor.removed",
]);
const ACCOUNT: Record<string, number> = {
  "user.created": 1,
  "user.reactivated": 2,
  "user.password.changed": 3,
  "user.password.reset": 4,
  "user.password.reset_by_admin": 4,
  "user.deactivated": 5,
  "user.login.locked_out": 9,
};
const ENTITY: Record<string, number> = {
  "org.created": 1,
  "webhook.endpoint.created": 1,
  "settings.updated": 3,
  "webhook.endpoint.updated": 3,
  "webhook.endpoint.paused": 3,
  "webhook.endpoint.resumed": 3,
  "webhook.endpoint.secret_rotated": 3,
  "webhook.endpoint.deleted": 4,
};
/** Worth a look: possible attacks and lost protection. */
const HIGH = new Set(["user.security_key.flagged", "user.login.locked_out", "user.compromise.reported"]);

function classify(event: SerializedEvent): { classUid: ClassUid; activityId: number } {
  const { type, data } = event;
  if (type.startsWith("user.login.") && type !== "user.login.locked_out") return { classUid: 3002, activityId: 1 };
  if (type.startsWith("user.verification.")) {
    const purpose = data.purpose;
    return { classUid: 3002, activityId: purpose === "login" || purpose === "device-activation" ? 1 : 99 };
  }
  if (type === "user.session.ended") return { classUid: 3002, activityId: 2 };
  if (ENABLE.has(type)) return { classUid: 3001, activityId: 10 };
  if (DISABLE.has(type)) return { classUid: 3001, activityId: 11 };
  if (ACCOUNT[type] !== undefined) return { classUid: 3001, activityId: ACCOUNT[type] };
  if (type === "user.role.changed") return { classUid: 3005, activityId: data.to === "ADMIN" ? 1 : 2 };
  if (type.startsWith("user.")) return { classUid: 3001, activityId: 99 };
  return { classUid: 3004, activityId: ENTITY[type] ?? 99 };
}

function authFactors(event: SerializedEvent): object[] {
  if (event.type.startsWith("user.login.")) return [FACTORS.password];
  const method = typeof event.data.method === "string" ? event.data.method : "";
  return (FACTORS_OF_METHOD[method] ?? []).map((f) => FACTORS[f]);
}

/** One event as an OCSF 1.x record. */
export function toOcsf(event: SerializedEvent): Record<string, unknown> {
  const { classUid, activityId } = classify(event);
  const className = CLASSES[classUid];
  const activityName = ACTIVITIES[classUid][activityId] ?? "Other";
  const failed = event.outcome === "failure";
  const severityId = HIGH.has(event.type) ? 4 : failed ? 3 : 1;
  const user = event.target.user
    ? { uid: event.target.user.id, name: event.target.user.username ?? event.target.user.name ?? undefined, full_name: event.target.user.name ?? undefined }
    : undefined;
  const actor =
    event.actor.kind === "user"
      ? { user: { uid: event.actor.id, name: event.actor.name ?? undefined, type: "User", type_id: 1 } }
      : event.actor.kind === "anonymous"
        ? undefined
        : { app_name: event.actor.name ?? event.actor.kind, app_uid: event.actor.id ?? undefined };
  const record: Record<string, unknown> = {
    category_uid: 3,
    category_name: "Identity & Access Management",
    class_uid: classUid,
    class_name: className,
    activity_id: activityId,
    activity_name: activityName,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${activityName}`,
    time: Date.parse(event.occurredAt),
    severity_id: severityId,
    severity: { 1: "Informational", 3: "Medium", 4: "High" }[severityId],
    status_id: failed ? 2 : 1,
    status: failed ? "Failure" : "Success",
    message: event.type,
    metadata: {
      uid: event.id,
      tenant_uid: event.orgId,
      sequence: event.seq,
      version: OCSF_VERSION,
      event_code: event.type,
      product: { name: "Gatehouse", vendor_name: "Gatehouse" },
      logged_time: Date.parse(event.occurredAt),
    },
    actor,
    user,
    src_endpoint: event.client.ip ? { ip: event.client.ip } : undefined,
    http_request: event.client.userAgent ? { user_agent: event.client.userAgent } : undefined,
    unmapped: { gatehouse: { type: event.type, target: event.target, data: event.data } },
  };
  if (failed && typeof event.data.reason === "string") record.status_detail = event.data.reason;
  if (classUid === 3002) {
    const factors = authFactors(event);
    record.auth_factors = factors;
    record.is_mfa = factors.length > 1 || factors.some((f) => f !== FACTORS.password);
    if (event.target.credential) record.unmapped = { ...(record.unmapped as object), credential: event.target.credential };
  }
  if (classUid === 3001 && event.target.credential) {
    // The factor an Account Change enabled or disabled: its id is what joins a key's registration to its removal.
    record.resources = [{ uid: event.target.credential.id, name: event.target.credential.name ?? undefined, type: event.type.split(".")[1] }];
  }
  if (classUid === 3004 || (classUid === 3001 && event.target.setting)) {
    const setting = event.target.setting;
    record.entity = setting
      ? { name: setting.field, data: { old: setting.old, new: setting.new } }
      : { name: event.type.split(".").slice(0, 2).join("."), data: event.data };
  }
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}
