import { randomBytes } from "node:crypto";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { describe, expect, it } from "vitest";
import { WebAuthnRefusal, type RefusalCode } from "@/lib/webauthn/refusal";
import { verifyKeyAssertion, verifyKeyRegistration, type KeyPolicy, type StoredKey, type VerifiedKey } from "@/lib/webauthn/verify";
import {
  SOFT_KEY_AAGUID,
  SoftAuthenticator,
  ZERO_AAGUID,
  type CeremonyOptions,
  type RegisterOptions,
  type SoftCredential,
} from "../support/soft-authenticator";

// The ceremonies themselves: what a correct key's answer looks like to our
// layer, and each way an attacker (phishing page, tampering, cloned key) or a
// misbehaving key can make it wrong. Each refusal is the accepted ceremony
// with exactly one thing changed, so it fails for that reason alone.

const RP = { rpID: "gatehouse.test", origin: "https://gatehouse.test" };
const key = new SoftAuthenticator({ rpId: RP.rpID, origin: RP.origin });
// No model lists and passkeys allowed: the ceremony is under test here, not the org's policy (webauthn-policy.test.ts).
const OPEN: KeyPolicy = { userVerification: "discouraged", authenticatorType: "any", requireVerifiedModel: false, allowedAaguids: [], blockedAaguids: [] };
const UV_REQUIRED: KeyPolicy = { ...OPEN, userVerification: "required" };

const newChallenge = () => randomBytes(32).toString("base64url");

async function register(options: RegisterOptions = {}, policy: KeyPolicy = OPEN, answersChallenge?: string) {
  const challenge = newChallenge();
  const { response, credential } = key.register(answersChallenge ?? challenge, options);
  const verified = await verifyKeyRegistration(response, { challenge, ...RP }, policy);
  return { verified, credential };
}

function stored(verified: VerifiedKey, counter = verified.counter): StoredKey {
  return { credentialId: verified.credentialId, publicKey: verified.publicKey, counter, transports: verified.transports };
}

async function authenticate(
  credential: SoftCredential,
  storedKey: StoredKey,
  options: CeremonyOptions = {},
  userVerification: KeyPolicy["userVerification"] = "discouraged",
  answersChallenge?: string,
) {
  const challenge = newChallenge();
  const response = key.assert(credential, answersChallenge ?? challenge, options);
  return verifyKeyAssertion(response, { challenge, ...RP }, storedKey, userVerification);
}

async function refusalOf(attempt: Promise<unknown>, code: RefusalCode): Promise<WebAuthnRefusal> {
  const error = await attempt.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebAuthnRefusal);
  expect((error as WebAuthnRefusal).code).toBe(code);
  return error as WebAuthnRefusal;
}

async function registeredKey(options: RegisterOptions = {}) {
  const { verified, credential } = await register({ attestation: "packed-self", ...options });
  return { credential, storedKey: stored(verified) };
}

describe("registration: accepted formats", () => {
  it("accepts a first-generation U2F key (fido-u2f): certificate attestation, all-zero AAGUID", async () => {
    const { verified, credential } = await register({ attestation: "fido-u2f" });
    expect(verified).toMatchObject({
      credentialId: credential.id,
      attestationFormat: "fido-u2f",
      attestation: "certificate",
      aaguid: ZERO_AAGUID,
      counter: 0,
      transports: ["usb"],
      userVerified: false,
      backupEligible: false,
      backedUp: false,
    });
    expect(Buffer.from(verified.publicKey).equals(Buffer.from(credential.publicKey))).toBe(true);
  });

  it("accepts packed full attestation (x5c) and reports the attested AAGUID", async () => {
    const { verified } = await register({ attestation: "packed" });
    expect(verified).toMatchObject({ attestationFormat: "packed", attestation: "certificate", aaguid: SOFT_KEY_AAGUID });
  });

  it("accepts packed self attestation as 'self'", async () => {
    const { verified } = await register({ attestation: "packed-self" });
    expect(verified).toMatchObject({ attestationFormat: "packed", attestation: "self", aaguid: SOFT_KEY_AAGUID });
  });

  it("accepts attestation 'none' as 'none'", async () => {
    const { verified } = await register({ attestation: "none" });
    expect(verified).toMatchObject({ attestationFormat: "none", attestation: "none" });
  });

  it("accepts a user-verified key when the org requires user verification", async () => {
    const { verified } = await register({ attestation: "packed", userVerified: true }, UV_REQUIRED);
    expect(verified.userVerified).toBe(true);
  });
});

describe("registration: refused", () => {
  it("from another origin (a phishing page relaying the ceremony)", async () => {
    await refusalOf(register({ attestation: "fido-u2f", origin: "https://gatehouse.test.evil.example" }), "verification-failed");
  });

  it("scoped to another RP ID", async () => {
    await refusalOf(register({ attestation: "fido-u2f", rpId: "evil.example" }), "verification-failed");
  });

  it("answering another challenge (replayed or forged response)", async () => {
    await refusalOf(register({ attestation: "fido-u2f" }, OPEN, newChallenge()), "verification-failed");
  });

  it.each(["fido-u2f", "packed", "packed-self"] as const)("with a tampered %s attestation signature", async (attestation) => {
    await refusalOf(register({ attestation, tamperSignature: true }), "verification-failed");
  });

  it("when the packed certificate's AAGUID extension contradicts the AAGUID in authData", async () => {
    await refusalOf(register({ attestation: "packed", aaguid: "ee882879-721c-4913-9775-3dfcce97072a" }), "verification-failed");
  });

  it("when the key was not touched (user presence absent)", async () => {
    await refusalOf(register({ attestation: "fido-u2f", userPresent: false }), "verification-failed");
  });

  it.each<[string, (r: RegistrationResponseJSON) => unknown]>([
    ["a truncated attestationObject", (r) => ({ ...r, response: { ...r.response, attestationObject: r.response.attestationObject.slice(0, 40) } })],
    ["clientDataJSON that is not JSON", (r) => ({ ...r, response: { ...r.response, clientDataJSON: "e25vdCBqc29u" } })], // "{not json"
    ["no response body at all", (r) => ({ ...r, response: undefined })],
  ])("when the payload is malformed: %s (a refusal, not a crash)", async (_what, mangle) => {
    const challenge = newChallenge();
    const { response } = key.register(challenge, { attestation: "fido-u2f" });
    const malformed = mangle(response) as RegistrationResponseJSON;
    await refusalOf(verifyKeyRegistration(malformed, { challenge, ...RP }, OPEN), "verification-failed");
  });

  it("when the org requires user verification and the key did not verify the user", async () => {
    const refusal = await refusalOf(register({ attestation: "packed", userVerified: false }, UV_REQUIRED), "user-verification-required");
    expect(refusal.message).toMatch(/PIN or fingerprint/);
  });
});

describe("assertion", () => {
  it("accepts the registered key and returns the new counter for storage", async () => {
    const { credential, storedKey } = await registeredKey();
    const first = await authenticate(credential, storedKey);
    expect(first).toEqual({ newCounter: 1, userVerified: false });
    const second = await authenticate(credential, { ...storedKey, counter: first.newCounter });
    expect(second.newCounter).toBe(2);
  });

  it("accepts an assertion by a U2F key registered through fido-u2f", async () => {
    const { verified, credential } = await register({ attestation: "fido-u2f" });
    expect(await authenticate(credential, stored(verified))).toMatchObject({ newCounter: 1 });
  });

  it("accepts a user-verified assertion when the org requires user verification", async () => {
    const { credential, storedKey } = await registeredKey();
    expect(await authenticate(credential, storedKey, { userVerified: true }, "required")).toMatchObject({ userVerified: true });
  });

  it("refuses an assertion from another origin", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, { origin: "https://evil.example" }), "verification-failed");
  });

  it("refuses an assertion scoped to another RP ID", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, { rpId: "evil.example" }), "verification-failed");
  });

  it("refuses an assertion answering another challenge", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, {}, "discouraged", newChallenge()), "verification-failed");
  });

  it("refuses a tampered assertion signature", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, { tamperSignature: true }), "verification-failed");
  });

  it("refuses an assertion without user presence", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, { userPresent: false }), "verification-failed");
  });

  it("refuses an assertion without user verification when the org requires it", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, storedKey, { userVerified: false }, "required"), "user-verification-required");
  });

  it("refuses an assertion by a different credential than the stored one", async () => {
    const { storedKey } = await registeredKey();
    const other = await registeredKey();
    await refusalOf(authenticate(other.credential, storedKey), "unknown-credential");
  });
});

describe("sign counter (cloned keys)", () => {
  it.each([
    [10, 10],
    [10, 5],
    [10, 0],
  ])("refuses stored %i → new %i as counter-regression, with the clone message", async (storedCounter, newCounter) => {
    const { credential, storedKey } = await registeredKey();
    const refusal = await refusalOf(authenticate(credential, { ...storedKey, counter: storedCounter }, { signCount: newCounter }), "counter-regression");
    expect(refusal.message).toMatch(/copied/);
  });

  it("accepts stored 10 → new 11", async () => {
    const { credential, storedKey } = await registeredKey();
    expect(await authenticate(credential, { ...storedKey, counter: 10 }, { signCount: 11 })).toMatchObject({ newCounter: 11 });
  });

  it("accepts stored 0 → new 0: keys without a counter always report zero", async () => {
    const { credential, storedKey } = await registeredKey();
    expect(await authenticate(credential, { ...storedKey, counter: 0 }, { signCount: 0 })).toMatchObject({ newCounter: 0 });
  });

  it("calls a regressed counter with a bad signature a bad signature, not a clone (no false clone alarm)", async () => {
    const { credential, storedKey } = await registeredKey();
    await refusalOf(authenticate(credential, { ...storedKey, counter: 10 }, { signCount: 5, tamperSignature: true }), "verification-failed");
  });
});
