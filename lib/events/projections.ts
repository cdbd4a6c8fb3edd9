import "server-only";
import { FACTOR_NAMES } from "../users/factor-suspension";
import type { RequestInfo } from "../http/request-info";
import { accountProjectors } from "./account-projections";
import { apiTokenProjectors } from "./api-token-projections";
import { credentialProjectors } from "./credential-projections";
import type { ProjectedEventType, Projections, Projector, ProjectorTable } from "./projection-rows";
import { signInProjectors } from "./sign-in-projections";
import { webhookProjectors } from "./webhook-projections";
import type { SecurityEventInput } from "./types";

// The rows the Setup Audit Trail, Identity Verification History and Login
// History show, rendered from a typed event: one projector per type, by event
// family (./account-projections.ts, ./credential-projections.ts,
// ./sign-in-projections.ts), the only place their sentences are made.
// recordEvent writes them with the event, in the same statement, and gives
// them the event's id (as a UUID).

export type { AuditProjection, LoginProjection, Projections, VerificationProjection } from "./projection-rows";
export { ADMIN_RESET_ACTION } from "./credential-projections";
export { METHOD_LABELS, methodCodeOf } from "./sign-in-projections";

// Typed as the full table: an event type no family projects does not compile.
const PROJECTORS: ProjectorTable = { ...accountProjectors, ...signInProjectors, ...credentialProjectors, ...webhookProjectors, ...apiTokenProjectors };

/** The rows an event shows as, by its type. Some sentences name the event's actor or its client's IP. */
export function projectionsOf(actorName: string | null, request: RequestInfo | null, event: SecurityEventInput): Projections {
  // The table gives each type the projector of that type; TypeScript cannot follow that pairing through a union.
  const project = PROJECTORS[event.type] as Projector<ProjectedEventType>;
  return project(event, { actorName, request });
}

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
