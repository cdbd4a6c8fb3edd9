import "server-only";
import { UserFacingError } from "../errors";

/** Why a ceremony was refused. Each code has its own message, so the UI can say exactly what to do. */
export type RefusalCode =
  | "challenge-invalid"
  | "verification-failed"
  | "user-verification-required"
  | "already-registered"
  | "model-blocked"
  | "model-not-allowed"
  | "attestation-required"
  | "platform-not-allowed"
  | "counter-regression"
  | "backup-eligibility-changed"
  | "model-compromised"
  | "model-no-longer-allowed"
  | "unknown-credential"
  | "key-suspended"
  | "keys-disabled";

/** A refused WebAuthn ceremony: a clear message for the user, a code for logs, tests and history. */
export class WebAuthnRefusal extends UserFacingError {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = "WebAuthnRefusal";
  }
}
