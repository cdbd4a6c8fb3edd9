import "server-only";
import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { decodeAttestationObject, isoBase64URL } from "@simplewebauthn/server/helpers";
import { modelName } from "./aaguids";
import { WebAuthnRefusal } from "./refusal";
import { SUPPORTED_ALGORITHMS } from "./relying-party";
import { authenticatorModelVerdict } from "../policy/rules";
import type { TrustSource } from "./trust/chain";
import { attestationTrust, proveModel, type TrustStore } from "./trust/store";

export const ZERO_AAGUID = "00000000-0000-0000-0000-000000000000";

// The verification layer: pure functions over a ceremony's response and what
// the server expects. Challenges, storage and policy lookup live elsewhere.

export type AttestationKind = "none" | "self" | "certificate";

export interface KeyPolicy {
  userVerification: "discouraged" | "preferred" | "required";
  /** "cross-platform" = physical security keys only (refuses what the key signs and the browser reports as a passkey; proves nothing). */
  authenticatorType: "cross-platform" | "any";
  /** "Accept only verified key models": the attestation must prove the model. */
  requireVerifiedModel: boolean;
  /** Lower-case canonical AAGUIDs; an empty allow-list allows every model. */
  allowedAaguids: readonly string[];
  blockedAaguids: readonly string[];
}

export interface Expectation {
  challenge: string;
  origin: string;
  rpID: string;
}

export interface VerifiedKey {
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  aaguid: string;
  attestationFormat: string;
  attestation: AttestationKind;
  backupEligible: boolean;
  backedUp: boolean;
  userVerified: boolean;
  /** Whether and by what the model was proven (see trust/store.ts). */
  proof: { proven: boolean; source: TrustSource | null; detail: string };
  /** The model's name from the bundled table or the MDS BLOB. */
  modelName: string | null;
}

/** A policy under which a key's model must be proven by its attestation: "Accept only verified key models", or any model list. */
export function requiresProvenModel(policy: KeyPolicy): boolean {
  return policy.requireVerifiedModel || policy.allowedAaguids.length > 0 || policy.blockedAaguids.length > 0;
}

/** Verifies a registration and applies the org's key policy. Throws WebAuthnRefusal. */
export async function verifyKeyRegistration(
  response: RegistrationResponseJSON,
  expected: Expectation,
  policy: KeyPolicy,
  trust: TrustStore = attestationTrust(),
  now = new Date(),
): Promise<VerifiedKey> {
  const requireUserVerification = policy.userVerification === "required";
  let result;
  try {
    result = await verifyRegistrationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.origin,
      expectedRPID: expected.rpID,
      requireUserVerification,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  } catch (error) {
    throw refusalFrom(error);
  }
  if (!result.verified) throw failed();
  const info = result.registrationInfo;
  const aaguid = info.aaguid.toLowerCase();
  const x5c = attestationCertificates(info.fmt, info.attestationObject);
  const attestation: AttestationKind = info.fmt === "none" ? "none" : x5c.length > 0 ? "certificate" : "self";
  const transports = [...(info.credential.transports ?? [])];
  const proof = proveModel(trust, { fmt: info.fmt, aaguid, x5c }, now);
  const name = modelName(aaguid) ?? proof.mdsName;
  const shown = describeModel(aaguid, name);

  if (proof.compromisedStatus) {
    throw new WebAuthnRefusal("model-compromised", compromisedMessage(shown, proof.compromisedStatus));
  }
  const verdict = authenticatorModelVerdict(policy, aaguid);
  if (verdict === "blocked") {
    throw new WebAuthnRefusal("model-blocked", `Your org doesn't allow this security key model: ${shown}.`);
  }
  if (requiresProvenModel(policy) && !proof.proven) {
    // A model list or "Accept only verified key models" means nothing unless the key proves what it is with a signed certificate chain.
    throw new WebAuthnRefusal(
      "attestation-required",
      policy.allowedAaguids.length > 0
        ? `Your org only allows specific security key models, and this key didn't prove which model it is (${proof.detail}). Use a key your admin approved.`
        : `Your org only accepts security keys that prove their model, and this key didn't (${proof.detail}). Use a security key from a known maker, or ask your admin.`,
    );
  }
  if (verdict === "not-listed") {
    throw new WebAuthnRefusal("model-not-allowed", `Your org doesn't allow this security key model: ${shown}.`);
  }
  // Without proof these are claims (the backup-eligible flag is signed by the key itself, attachment and transports are the browser's);
  // they still keep out synced passkeys and built-in authenticators, which say what they are.
  const isPlatform =
    response.authenticatorAttachment === "platform" || transports.includes("internal") || info.credentialDeviceType === "multiDevice" || proof.platformModel;
  if (policy.authenticatorType === "cross-platform" && isPlatform) {
    throw new WebAuthnRefusal(
      "platform-not-allowed",
      "Your org only allows physical security keys. Insert a security key instead of using this device's passkey.",
    );
  }
  return {
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports,
    aaguid,
    attestationFormat: info.fmt,
    attestation,
    backupEligible: info.credentialDeviceType === "multiDevice",
    backedUp: info.credentialBackedUp,
    userVerified: info.userVerified,
    proof: { proven: proof.proven, source: proof.source, detail: proof.detail },
    modelName: name,
  };
}

/** How a refusal names a model: its name, else "an unidentified U2F key" for the all-zero AAGUID, else the AAGUID. */
export function describeModel(aaguid: string, name: string | null): string {
  return name ?? (aaguid === ZERO_AAGUID ? "an unidentified U2F key" : aaguid);
}

const STATUS_WORDS: Record<string, string> = {
  REVOKED: "revoked",
  ATTESTATION_KEY_COMPROMISE: "having a compromised attestation key",
  USER_VERIFICATION_BYPASS: "letting user verification be bypassed",
  USER_KEY_REMOTE_COMPROMISE: "having keys that can be extracted remotely",
  USER_KEY_PHYSICAL_COMPROMISE: "having keys that can be extracted physically",
};

export function compromisedMessage(shown: string, status: string): string {
  return `The FIDO Alliance lists this security key model as ${STATUS_WORDS[status] ?? status.toLowerCase()}: ${shown}. It can't be used. Use another key.`;
}

export interface StoredKey {
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
  /** The backup-eligibility flag the key signed at registration; an assertion must carry the same. Unchecked when undefined. */
  backupEligible?: boolean;
  /** base64url user handle the key was registered with; a response that carries another is refused. Unchecked when undefined. */
  userHandle?: string;
}

/**
 * Verifies an assertion by a stored key. A signature that verifies but a sign
 * counter that did not increase (when the stored one is non-zero) is refused
 * as a possible clone; the caller flags the key and notifies.
 */
export async function verifyKeyAssertion(
  response: AuthenticationResponseJSON,
  expected: Expectation,
  key: StoredKey,
  userVerification: KeyPolicy["userVerification"],
): Promise<{ newCounter: number; userVerified: boolean }> {
  if (response.id !== key.credentialId) throw new WebAuthnRefusal("unknown-credential", "This security key isn't registered to your account.");
  const handle = response.response.userHandle;
  if (handle && key.userHandle !== undefined && handle !== key.userHandle) {
    throw new WebAuthnRefusal("unknown-credential", "This security key isn't registered to your account.");
  }
  let result;
  try {
    result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.origin,
      expectedRPID: expected.rpID,
      requireUserVerification: userVerification === "required",
      // Counter 0 here: the library checks the counter before the signature, and
      // we only call a regression a clone once the signature is proven good.
      credential: { id: key.credentialId, publicKey: key.publicKey, counter: 0, transports: key.transports as never },
    });
  } catch (error) {
    throw refusalFrom(error);
  }
  if (!result.verified) throw failed();
  const { newCounter, userVerified, credentialDeviceType } = result.authenticationInfo;
  if (key.backupEligible !== undefined && (credentialDeviceType === "multiDevice") !== key.backupEligible) {
    // The flag is signed and fixed for a credential's life: a change means another authenticator or a tampered one.
    throw new WebAuthnRefusal(
      "backup-eligibility-changed",
      "This security key's response doesn't match how it was registered, so it can't be used. Your admins have been told. Use another method or contact your admin.",
    );
  }
  if (key.counter > 0 && newCounter <= key.counter) {
    throw new WebAuthnRefusal(
      "counter-regression",
      "This security key may have been copied, so it can't be used. Your admins have been told. Use another method or contact your admin.",
    );
  }
  return { newCounter, userVerified };
}

function attestationCertificates(fmt: string, attestationObject: Uint8Array<ArrayBuffer>): Uint8Array[] {
  if (fmt === "none") return [];
  const x5c: unknown = decodeAttestationObject(attestationObject).get("attStmt").get("x5c");
  return Array.isArray(x5c) ? x5c.filter((c): c is Uint8Array => c instanceof Uint8Array) : [];
}

function failed() {
  return new WebAuthnRefusal("verification-failed", "Your security key's response couldn't be verified. Try again.");
}

function refusalFrom(error: unknown): WebAuthnRefusal {
  const message = error instanceof Error ? error.message : String(error);
  if (/user verification/i.test(message) && /required/i.test(message)) {
    return new WebAuthnRefusal(
      "user-verification-required",
      "Your org requires your security key to verify it's you (PIN or fingerprint). Use a key that supports it.",
    );
  }
  return failed();
}

/** The base64url challenge a response answers, read from its clientDataJSON (not yet trusted). */
export function challengeOf(response: { response: { clientDataJSON: string } }): string | null {
  try {
    const clientData = JSON.parse(isoBase64URL.toUTF8String(response.response.clientDataJSON)) as { challenge?: unknown };
    return typeof clientData.challenge === "string" ? clientData.challenge : null;
  } catch {
    return null;
  }
}
