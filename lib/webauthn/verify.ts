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

// The verification layer: pure functions over a ceremony's response and what
// the server expects. Challenges, storage and policy lookup live elsewhere.

export type AttestationKind = "none" | "self" | "certificate";

export interface KeyPolicy {
  userVerification: "discouraged" | "preferred" | "required";
  /** "cross-platform" = physical security keys only. */
  authenticatorType: "cross-platform" | "any";
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
}

const ZERO_AAGUID = "00000000-0000-0000-0000-000000000000";

/** Verifies a registration and applies the org's key policy. Throws WebAuthnRefusal. */
export async function verifyKeyRegistration(response: RegistrationResponseJSON, expected: Expectation, policy: KeyPolicy): Promise<VerifiedKey> {
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
  const attestation = attestationKind(info.fmt, info.attestationObject);
  const transports = [...(info.credential.transports ?? [])];
  const name = modelName(aaguid);

  const verdict = authenticatorModelVerdict(policy, aaguid);
  if (verdict === "blocked") {
    throw new WebAuthnRefusal("model-blocked", `Your org doesn't allow this security key model: ${name ?? aaguid}.`);
  }
  if (policy.allowedAaguids.length > 0) {
    // An allow-list only means something when the key proves its model with a certificate.
    if (attestation !== "certificate") {
      throw new WebAuthnRefusal(
        "attestation-required",
        "Your org only allows specific security key models, and this key didn't prove which model it is. Use a key your admin approved.",
      );
    }
    if (verdict === "not-listed") {
      throw new WebAuthnRefusal(
        "model-not-allowed",
        `Your org doesn't allow this security key model: ${name ?? (aaguid === ZERO_AAGUID ? "an unidentified U2F key" : aaguid)}.`,
      );
    }
  }
  const isPlatform = response.authenticatorAttachment === "platform" || transports.includes("internal") || info.credentialDeviceType === "multiDevice";
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
  };
}

export interface StoredKey {
  credentialId: string;
  publicKey: Uint8Array<ArrayBuffer>;
  counter: number;
  transports: string[];
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
  const { newCounter, userVerified } = result.authenticationInfo;
  if (key.counter > 0 && newCounter <= key.counter) {
    throw new WebAuthnRefusal(
      "counter-regression",
      "This security key may have been copied, so it can't be used. Your admins have been told. Use another method or contact your admin.",
    );
  }
  return { newCounter, userVerified };
}

function attestationKind(fmt: string, attestationObject: Uint8Array<ArrayBuffer>): AttestationKind {
  if (fmt === "none") return "none";
  const statement = decodeAttestationObject(attestationObject).get("attStmt");
  const x5c = statement.get("x5c");
  return Array.isArray(x5c) && x5c.length > 0 ? "certificate" : "self";
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
