import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AuthenticationResponseJSON, AuthenticatorAttachment, AuthenticatorTransport, RegistrationResponseJSON } from "@simplewebauthn/server";
import { isoCBOR } from "@simplewebauthn/server/helpers";

// A software authenticator for API-level tests: it answers registration and
// authentication ceremonies the way a browser relays a real key's answer, so
// the verification layer can be driven without a browser. No npm package
// produces fido-u2f registrations, which is the format our users' first-
// generation keys send, hence this file.
//
// Attestation keys and certificates are fixed PEM fixtures (see
// tests/fixtures/webauthn/attestation/README.md); credential keys are fresh
// P-256 (ES256) keys per registration, as on a real key.

export type AttestationFormat = "fido-u2f" | "packed" | "packed-self" | "none";

/** The AAGUID in the packed leaf certificate's id-fido-gen-ce-aaguid extension (a made-up model). */
export const SOFT_KEY_AAGUID = "baa9b4ed-497c-4bac-a3b1-f9c5d512a3fd";
/** What every U2F key reports: fido-u2f has no model identifier. */
export const ZERO_AAGUID = "00000000-0000-0000-0000-000000000000";

export interface CeremonyOptions {
  /** Default true; false = the key was not touched (UP flag clear). */
  userPresent?: boolean;
  /** Default false; true = PIN or biometric checked (UV flag set). */
  userVerified?: boolean;
  /** Override the origin in clientDataJSON (a phishing page's origin). */
  origin?: string;
  /** Override the RP ID whose hash goes into authenticatorData. */
  rpId?: string;
  /** Sign counter to report; registration defaults to 0, assertions to the stored counter + 1. */
  signCount?: number;
  /** Default "cross-platform" (a key on USB/NFC); null leaves the field out, as older browsers do. */
  authenticatorAttachment?: AuthenticatorAttachment | null;
  /** Flip a bit of the signature (attestation signature on registration, assertion signature otherwise). */
  tamperSignature?: boolean;
}

export interface RegisterOptions extends CeremonyOptions {
  /** Default "packed" (full attestation by the test root: a physical key that proves its model where that root is trusted). */
  attestation?: AttestationFormat;
  /** Default ZERO_AAGUID for fido-u2f, SOFT_KEY_AAGUID otherwise. */
  aaguid?: string;
  backupEligible?: boolean;
  backedUp?: boolean;
  /** Default ["usb"]. */
  transports?: AuthenticatorTransport[];
}

/** What the key keeps (private key, counter) plus what the server stored, for assertions and for StoredKey. */
export interface SoftCredential {
  /** base64url credential id. */
  id: string;
  /** COSE_Key (EC2, P-256, ES256), as the server stores it. */
  publicKey: Uint8Array<ArrayBuffer>;
  privateKey: KeyObject;
  rpId: string;
  counter: number;
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  transports: AuthenticatorTransport[];
}

type Statement = Map<string, number | Uint8Array | Uint8Array[]>;

const [FLAG_UP, FLAG_UV, FLAG_BE, FLAG_BS, FLAG_AT] = [0x01, 0x04, 0x08, 0x10, 0x40];
const ES256 = -7;

export class SoftAuthenticator {
  constructor(private readonly relyingParty: { rpId: string; origin: string }) {}

  /** Answers navigator.credentials.create() for `challenge` (base64url, as the server issued it). */
  register(challenge: string, options: RegisterOptions = {}): { response: RegistrationResponseJSON; credential: SoftCredential } {
    const attestation = options.attestation ?? "packed";
    const rpId = options.rpId ?? this.relyingParty.rpId;
    const aaguid = (options.aaguid ?? (attestation === "fido-u2f" ? ZERO_AAGUID : SOFT_KEY_AAGUID)).toLowerCase();
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const { x, y } = ecPoint(publicKey);
    const credentialId = randomBytes(32);
    const cosePublicKey = isoCBOR.encode(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, ES256], // alg
        [-1, 1], // crv: P-256
        [-2, x],
        [-3, y],
      ]),
    );
    const credential: SoftCredential = {
      id: base64url(credentialId),
      publicKey: cosePublicKey,
      privateKey,
      rpId,
      counter: options.signCount ?? 0,
      aaguid,
      backupEligible: options.backupEligible ?? false,
      backedUp: options.backedUp ?? false,
      transports: options.transports ?? ["usb"],
    };

    const idLength = new Uint8Array([credentialId.length >> 8, credentialId.length & 0xff]);
    const attestedCredentialData = concat(uuidBytes(aaguid), idLength, credentialId, cosePublicKey);
    const authData = authenticatorData(rpId, flagsFor(options, credential) | FLAG_AT, credential.counter, attestedCredentialData);
    const clientDataJSON = this.clientData("webauthn.create", challenge, options.origin);
    const clientDataHash = sha256(clientDataJSON);

    let attStmt: Statement;
    if (attestation === "fido-u2f") {
      // U2F signs its own registration message, not authData: 0x00 || rpIdHash || clientDataHash || keyHandle || 0x04||x||y.
      const signed = concat(new Uint8Array([0]), sha256(rpId), clientDataHash, credentialId, new Uint8Array([4]), x, y);
      const batch = attestationMaterial().u2fBatch;
      attStmt = statement({ sig: maybeTamper(sign("sha256", signed, batch.key), options), x5c: [batch.certificate] });
    } else if (attestation === "packed") {
      const leaf = attestationMaterial().packedLeaf;
      const sig = maybeTamper(sign("sha256", concat(authData, clientDataHash), leaf.key), options);
      attStmt = statement({ alg: ES256, sig, x5c: [leaf.certificate] });
    } else if (attestation === "packed-self") {
      // Self attestation: no certificate, signed by the new credential's own key.
      attStmt = statement({ alg: ES256, sig: maybeTamper(sign("sha256", concat(authData, clientDataHash), privateKey), options) });
    } else {
      attStmt = statement({});
    }
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Uint8Array | Statement>([
        ["fmt", attestation === "packed-self" ? "packed" : attestation],
        ["attStmt", attStmt],
        ["authData", authData],
      ]),
    );

    const response: RegistrationResponseJSON = {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: base64url(clientDataJSON),
        attestationObject: base64url(attestationObject),
        authenticatorData: base64url(authData),
        transports: [...credential.transports],
        publicKeyAlgorithm: ES256,
        publicKey: base64url(publicKey.export({ format: "der", type: "spki" })),
      },
      clientExtensionResults: {},
      ...attachment(options),
    };
    return { response, credential };
  }

  /** Answers navigator.credentials.get() with `credential`; advances its counter unless `signCount` is given. */
  assert(credential: SoftCredential, challenge: string, options: CeremonyOptions = {}): AuthenticationResponseJSON {
    credential.counter = options.signCount ?? credential.counter + 1;
    const authData = authenticatorData(options.rpId ?? credential.rpId, flagsFor(options, credential), credential.counter);
    const clientDataJSON = this.clientData("webauthn.get", challenge, options.origin);
    const signature = sign("sha256", concat(authData, sha256(clientDataJSON)), credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: "public-key",
      response: {
        clientDataJSON: base64url(clientDataJSON),
        authenticatorData: base64url(authData),
        signature: base64url(maybeTamper(signature, options)),
      },
      clientExtensionResults: {},
      ...attachment(options),
    };
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string, origin?: string): Uint8Array {
    const json = JSON.stringify({ type, challenge, origin: origin ?? this.relyingParty.origin, crossOrigin: false });
    return new Uint8Array(Buffer.from(json, "utf8"));
  }
}

function statement(fields: Record<string, number | Uint8Array | Uint8Array[]>): Statement {
  return new Map(Object.entries(fields));
}

function flagsFor(options: CeremonyOptions, credential: SoftCredential): number {
  let flags = 0;
  if (options.userPresent ?? true) flags |= FLAG_UP;
  if (options.userVerified) flags |= FLAG_UV;
  if (credential.backupEligible) flags |= FLAG_BE;
  if (credential.backedUp) flags |= FLAG_BS;
  return flags;
}

function authenticatorData(rpId: string, flags: number, signCount: number, attested?: Uint8Array): Uint8Array {
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, signCount);
  return concat(sha256(rpId), new Uint8Array([flags]), counter, attested ?? new Uint8Array());
}

function attachment(options: CeremonyOptions): { authenticatorAttachment?: AuthenticatorAttachment } {
  const value = options.authenticatorAttachment === undefined ? "cross-platform" : options.authenticatorAttachment;
  return value === null ? {} : { authenticatorAttachment: value };
}

/** Flips one bit of the last byte: still well-formed DER (the byte is inside s), so only the signature check catches it. */
function maybeTamper(signature: Uint8Array, options: CeremonyOptions): Uint8Array {
  const copy = new Uint8Array(signature);
  if (options.tamperSignature) copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0x01;
  return copy;
}

type AttestationKey = { key: KeyObject; certificate: Uint8Array };
let material: { u2fBatch: AttestationKey; packedLeaf: AttestationKey } | undefined;

/** Loaded once, lazily: only tests that ask for attestation read the fixtures. */
function attestationMaterial(): NonNullable<typeof material> {
  material ??= { u2fBatch: loadKey("u2f-batch"), packedLeaf: loadKey("packed-leaf") };
  return material;
}

function loadKey(name: string): AttestationKey {
  const dir = new URL("../fixtures/webauthn/attestation/", import.meta.url);
  return {
    key: createPrivateKey(readFileSync(new URL(`${name}.key.pem`, dir), "utf8")),
    certificate: new Uint8Array(new X509Certificate(readFileSync(new URL(`${name}.pem`, dir))).raw),
  };
}

function ecPoint(publicKey: KeyObject): { x: Uint8Array; y: Uint8Array } {
  const jwk = publicKey.export({ format: "jwk" });
  if (!jwk.x || !jwk.y) throw new Error("not an EC public key");
  return { x: new Uint8Array(Buffer.from(jwk.x, "base64url")), y: new Uint8Array(Buffer.from(jwk.y, "base64url")) };
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`not an AAGUID: ${uuid}`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

function sha256(data: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}
