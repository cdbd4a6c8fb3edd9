import type { SuspendedFactorKind } from "../users/factor-suspension";

// Security events (DESIGN.md section 11): every security-relevant change is
// one typed fact, written in the change's own transaction (./record.ts). The
// type names what happened from a closed list; who did it is the actor, whom
// it happened to the target (a user, a credential of theirs, a setting);
// anything a type needs beyond that is its `data`, typed here. The Setup Audit
// Trail, Identity Verification History and Login History rows are rendered
// from these facts (./projections.ts), never written on their own.

/** Every event type, oldest first; readers (the API, webhooks) may rely on this list. */
export const SECURITY_EVENT_TYPES = [
  "org.created",
  "org.email.refused",
  "webhook.endpoint.created",
  "webhook.endpoint.updated",
  "webhook.endpoint.deleted",
  "webhook.endpoint.paused",
  "webhook.endpoint.resumed",
  "webhook.endpoint.secret_rotated",
  "settings.updated",
  "user.created",
  "user.invitation.sent",
  "user.invitation.accepted",
  "user.username.released",
  "user.role.changed",
  "user.deactivated",
  "user.reactivated",
  "user.session.ended",
  "user.device.revoked",
  "user.login.succeeded",
  "user.login.verification_required",
  "user.login.failed",
  "user.login.locked_out",
  "user.verification.succeeded",
  "user.verification.failed",
  "user.security_key.registered",
  "user.security_key.registration_failed",
  "user.security_key.removed",
  "user.security_key.flag_cleared",
  "user.security_key.renamed",
  "user.security_key.flagged",
  "user.authenticator_app.connected",
  "user.authenticator_app.disconnected",
  "user.recovery_codes.generated",
  "user.recovery_codes.invalidated",
  "user.temporary_code.issued",
  "user.password.changed",
  "user.password.reset",
  "user.password.reset_requested",
  "user.password.reset_by_admin",
  "user.compromise.reported",
  "user.suspended_factor.restored",
  "user.suspended_factor.removed",
  "user.admin_recovery.cleared",
  "api_token.created",
  "api_token.revoked",
  "api_token.scope_denied",
  // Rows of the Setup Audit Trail from before typed events whose action no type above names (migrated as they were).
  "legacy.audit",
] as const;

export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[number];

/** Who an event names as its actor: a principal's (lib/auth/principal.ts `Actor`), or nobody known yet (a login's password step). */
export type EventActor =
  | { readonly kind: "user"; readonly id: string; readonly name: string }
  | { readonly kind: "api-token"; readonly id: string; readonly name: string }
  | { readonly kind: "system"; readonly id: null; readonly name: string }
  | { readonly kind: "anonymous"; readonly id: null; readonly name: null };

export const ANONYMOUS: EventActor = Object.freeze({ kind: "anonymous", id: null, name: null });

/** The user an event is about. Name and username, when not given, are read from the user's row as the event is written. */
export interface TargetUser {
  id: string;
  name?: string;
  username?: string;
}

/** The user, with the name and username the trail's sentence shows. */
export interface NamedUser {
  id: string;
  name?: string;
  username: string;
}

/** A credential an event is about: its id always (key or app row id), and for a security key its AAGUID, name and whether its model was verified. */
export interface TargetCredential {
  id: string;
  name: string;
  aaguid?: string;
  /** The model was proven by attestation (true) or only claimed (false). */
  modelVerified?: boolean;
}

/** The webhook endpoint an Event Streams event is about. */
export interface WebhookEndpointRef {
  endpointId: string;
  url: string;
}

/** How a user proved who they are. */
export type VerificationMethodCode =
  "password" | "security-key" | "password-and-security-key" | "emailed-code" | "recovery-code" | "temporary-code" | "authenticator-app" | "emailed-link";

/** What a verification was for. */
export type VerificationPurpose = "login" | "device-activation" | "re-authentication" | "enrolment-email";

type Of<T extends SecurityEventType, Rest> = { type: T; at?: Date } & Rest;

/** What a caller passes to recordEvent: one member per type. */
export type SecurityEventInput =
  | Of<"org.created", { org: { name: string; slug: string } }>
  | Of<"org.email.refused", { data: { template: string; scope: "recipient" | "org" } }>
  | Of<"settings.updated", { setting: { field: string; old: string | null; new: string | null } }>
  | Of<"user.created", { user: NamedUser & { name: string }; data: { role: "ADMIN" | "STANDARD" } }>
  | Of<"user.invitation.sent", { user: TargetUser; data: { email: string } }>
  | Of<"user.invitation.accepted", { user: TargetUser }>
  | Of<"user.username.released", { user: TargetUser; data: { username: string } }>
  | Of<"user.role.changed", { user: TargetUser; data: { from: "ADMIN" | "STANDARD"; to: "ADMIN" | "STANDARD" } }>
  | Of<"user.deactivated" | "user.reactivated", { user: TargetUser }>
  | Of<"user.session.ended", { user: NamedUser; data: { reason: "ended-by-user-or-admin" } | { reason: "ip-changed"; sessionIp: string | null } }>
  | Of<"user.device.revoked", { user: NamedUser; data: { deviceId: string; activatedAt: Date; deviceIp: string | null } }>
  | Of<"user.login.succeeded" | "user.login.verification_required" | "user.login.locked_out", { user: TargetUser }>
  | Of<"user.login.failed", { user: NamedUser; data: { reason: "invalid-password" | "inactive-user"; lockedOutUntil?: Date; failures?: number } }>
  | Of<
      "user.verification.succeeded" | "user.verification.failed",
      {
        user: TargetUser;
        credential?: TargetCredential;
        data: { method: VerificationMethodCode; purpose: VerificationPurpose; detail?: string; deviceActivated?: boolean };
      }
    >
  | Of<"user.security_key.registered", { user: TargetUser; credential: TargetCredential & { aaguid: string; modelVerified: boolean } }>
  | Of<"user.security_key.registration_failed", { user: TargetUser; data: { reason: string } }>
  | Of<
      "user.security_key.removed",
      { user: NamedUser; credential: TargetCredential & { aaguid: string; modelVerified: boolean }; data: { by: "self" } | { by: "admin"; reason: string } }
    >
  | Of<"user.security_key.flag_cleared", { user: NamedUser; credential: TargetCredential; data: { flaggedAt: Date } }>
  | Of<"user.security_key.renamed", { user: TargetUser; credential: TargetCredential; data: { from: string } }>
  // Its sign counter went backwards, or its backup-eligibility flag changed: a possible copy, blocked until an admin reviews it.
  | Of<"user.security_key.flagged", { user: TargetUser; credential: TargetCredential; data: { reason: "counter-regression" | "backup-eligibility-changed" } }>
  // Event Streams (lib/webhooks): an endpoint's id and URL, never its secret.
  | Of<"webhook.endpoint.created", { data: WebhookEndpointRef & { eventTypes: string[] } }>
  | Of<
      "webhook.endpoint.updated",
      { data: WebhookEndpointRef & { eventTypes?: { from: string[]; to: string[] }; description?: { from: string; to: string }; replayFrom?: Date } }
    >
  | Of<"webhook.endpoint.deleted" | "webhook.endpoint.secret_rotated", { data: WebhookEndpointRef }>
  | Of<"webhook.endpoint.paused", { data: WebhookEndpointRef & { reason: string } }>
  | Of<"webhook.endpoint.resumed", { data: WebhookEndpointRef }>
  | Of<"user.authenticator_app.connected", { user: TargetUser; credential: TargetCredential }>
  | Of<"user.authenticator_app.disconnected", { user: NamedUser; credential: TargetCredential; data: { by: "self" | "admin" } }>
  | Of<"user.recovery_codes.generated", { user: TargetUser; data: { replaced: boolean } }>
  | Of<"user.recovery_codes.invalidated", { user: NamedUser; data: { count: number } }>
  | Of<
      "user.temporary_code.issued",
      { user: NamedUser; data: { codeId: string; hours: number; expiresAt: Date; byOperator: boolean; withSetPasswordLink: boolean } }
    >
  | Of<"user.password.changed" | "user.password.reset", { user: TargetUser }>
  | Of<"user.password.reset_requested" | "user.password.reset_by_admin" | "user.admin_recovery.cleared", { user: NamedUser }>
  | Of<"user.compromise.reported", { user: TargetUser; data: { what: string } }>
  | Of<
      "user.suspended_factor.restored" | "user.suspended_factor.removed",
      { user: NamedUser; credential?: TargetCredential; data: { factor: SuspendedFactorKind; name: string } }
    >
  | Of<"api_token.created", { data: { tokenId: string; name: string; displayPrefix: string; scopes: string[]; expiresAt: Date } }>
  // `user`: the token's creator, when something done to their account revoked it.
  | Of<"api_token.revoked", { user?: TargetUser; data: { tokenId: string; name: string; reason: ApiTokenRevocationReason } }>
  | Of<"api_token.scope_denied", { data: { tokenId: string; name: string; permission: string } }>;

/** Why a token was revoked: by an admin, or because its creator reported "This wasn't me", had their password reset by an admin, was deactivated or lost the Admin role. */
export type ApiTokenRevocationReason = "revoked" | "creator-contained" | "creator-password-reset" | "creator-deactivated" | "creator-demoted";

export type SecurityEventOf<T extends SecurityEventType> = Extract<SecurityEventInput, { type: T }>;

const FAILURES: ReadonlySet<SecurityEventType> = new Set([
  "org.email.refused",
  "user.login.failed",
  "user.login.locked_out",
  "user.verification.failed",
  "user.security_key.registration_failed",
  "api_token.scope_denied",
]);

/** "success" or "failure": what a reader filters on. */
export function outcomeOf(type: SecurityEventType): "success" | "failure" {
  return FAILURES.has(type) ? "failure" : "success";
}
