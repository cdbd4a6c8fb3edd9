import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WebAuthnRefusal, type RefusalCode } from "@/lib/webauthn/refusal";
import { loadTrustStore } from "@/lib/webauthn/trust/store";
import { verifyKeyRegistration, type KeyPolicy } from "@/lib/webauthn/verify";
import { SOFT_KEY_AAGUID, SoftAuthenticator, ZERO_AAGUID, type RegisterOptions } from "../support/soft-authenticator";

// The org's security key policy applied at registration (DESIGN §3, §9):
// blocked and allowed models by AAGUID, and under any model list or "Accept
// only verified key models" a model proven by an attestation chain to a trusted
// root. Without them any key registers, its model claimed.

const RP = { rpID: "gatehouse.test", origin: "https://gatehouse.test" };
const key = new SoftAuthenticator({ rpId: RP.rpID, origin: RP.origin });
/** The defaults of a new org: physical keys only, models not required to prove themselves. */
const OPEN: KeyPolicy = {
  userVerification: "discouraged",
  authenticatorType: "cross-platform",
  requireVerifiedModel: false,
  allowedAaguids: [],
  blockedAaguids: [],
};

/** Trusts the soft authenticator's test roots, as an operator's ATTESTATION_ROOTS_FILE would. */
const SOFT_ROOTS = loadTrustStore({ ATTESTATION_ROOTS_FILE: "tests/fixtures/webauthn/attestation/soft-authenticator-roots.pem" });
/** Only the vendor roots shipped with Gatehouse. */
const VENDOR_ONLY = loadTrustStore({});

/** Named "YubiKey 5 Series" in lib/webauthn/aaguids.ts. */
const YUBIKEY_5 = "ee882879-721c-4913-9775-3dfcce97072a";

async function register(options: RegisterOptions, policy: Partial<KeyPolicy>, trust = SOFT_ROOTS) {
  const challenge = randomBytes(32).toString("base64url");
  const { response } = key.register(challenge, options);
  return verifyKeyRegistration(response, { challenge, ...RP }, { ...OPEN, ...policy }, trust);
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

describe("blocked models", () => {
  it("refuses a blocked model, naming it from the model table", async () => {
    const refusal = await refusalOf(register({ attestation: "packed-self", aaguid: YUBIKEY_5 }, { blockedAaguids: [YUBIKEY_5] }), "model-blocked");
    expect(refusal.message).toContain("YubiKey 5 Series");
  });

  it("names an unknown blocked model by its AAGUID", async () => {
    const refusal = await refusalOf(register({ attestation: "packed" }, { blockedAaguids: [SOFT_KEY_AAGUID] }), "model-blocked");
    expect(refusal.message).toContain(SOFT_KEY_AAGUID);
  });

  it("lets other proven models through a deny-list", async () => {
    await expect(register({ attestation: "packed" }, { blockedAaguids: [YUBIKEY_5], authenticatorType: "any" })).resolves.toMatchObject({
      aaguid: SOFT_KEY_AAGUID,
      proof: { proven: true, source: "operator" },
    });
  });

  // A blocked model must not evade the deny-list by claiming another AAGUID with nothing signed.
  it.each(["packed-self", "none"] as const)("refuses a key under a deny-list that proves nothing (%s), whatever it claims", async (attestation) => {
    const refusal = await refusalOf(
      register({ attestation, aaguid: YUBIKEY_5 }, { blockedAaguids: [SOFT_KEY_AAGUID], authenticatorType: "any" }),
      "attestation-required",
    );
    expect(refusal.message).toMatch(attestation === "none" ? /sent no attestation/ : /self attestation/);
  });
});

describe("allow-list", () => {
  it("accepts an allowed model that proves it with an attestation certificate", async () => {
    await expect(register({ attestation: "packed" }, { allowedAaguids: [SOFT_KEY_AAGUID] })).resolves.toMatchObject({
      aaguid: SOFT_KEY_AAGUID,
      attestation: "certificate",
    });
  });

  it("refuses an attested model that is not on the list", async () => {
    await refusalOf(register({ attestation: "packed" }, { allowedAaguids: [YUBIKEY_5] }), "model-not-allowed");
  });

  it("refuses a U2F key, which cannot name its model, as an unidentified U2F key", async () => {
    const refusal = await refusalOf(register({ attestation: "fido-u2f" }, { allowedAaguids: [YUBIKEY_5] }), "model-not-allowed");
    expect(refusal.message).toContain("unidentified U2F key");
  });

  it("refuses a self-attested key even when the AAGUID it claims is allowed", async () => {
    await refusalOf(register({ attestation: "packed-self", aaguid: YUBIKEY_5 }, { allowedAaguids: [YUBIKEY_5] }), "attestation-required");
  });

  it("refuses attestation 'none' even when the AAGUID it claims is allowed", async () => {
    await refusalOf(register({ attestation: "none", aaguid: YUBIKEY_5 }, { allowedAaguids: [YUBIKEY_5] }), "attestation-required");
  });

  it("accepts self and none attestation, unproven, when no model list is set and passkeys are allowed", async () => {
    await expect(register({ attestation: "packed-self" }, { authenticatorType: "any" })).resolves.toMatchObject({
      attestation: "self",
      proof: { proven: false },
    });
    await expect(register({ attestation: "none" }, { authenticatorType: "any" })).resolves.toMatchObject({ attestation: "none", proof: { proven: false } });
  });

  // Any self-made certificate could claim an allowed AAGUID: without its root in the trust store it proves nothing.
  it("refuses an allowed AAGUID attested by a certificate from an untrusted root", async () => {
    const refusal = await refusalOf(register({ attestation: "packed" }, { allowedAaguids: [SOFT_KEY_AAGUID] }, VENDOR_ONLY), "attestation-required");
    expect(refusal.message).toContain("untrusted issuer");
  });
});

describe("physical security keys only (authenticatorType cross-platform)", () => {
  const platformKeys: [string, RegisterOptions][] = [
    ["authenticatorAttachment 'platform'", { authenticatorAttachment: "platform", transports: ["internal"] }],
    ["transports ['internal'] without an attachment", { authenticatorAttachment: null, transports: ["internal"] }],
    ["a synced passkey (backup eligible and backed up)", { authenticatorAttachment: null, transports: ["hybrid"], backupEligible: true, backedUp: true }],
  ];

  it.each(platformKeys)("refuses %s", async (_what, options) => {
    const refusal = await refusalOf(register({ attestation: "packed", ...options }, { authenticatorType: "cross-platform" }), "platform-not-allowed");
    expect(refusal.message).toMatch(/physical security keys/);
  });

  it.each(platformKeys)("accepts %s under 'security keys and passkeys'", async (_what, options) => {
    await expect(register({ attestation: "none", ...options }, { authenticatorType: "any" })).resolves.toMatchObject({ attestation: "none" });
  });

  it("accepts a USB key, and one whose browser leaves out the attachment", async () => {
    await expect(register({ attestation: "fido-u2f" }, { authenticatorType: "cross-platform" })).resolves.toMatchObject({
      aaguid: ZERO_AAGUID,
    });
    await expect(
      register({ attestation: "fido-u2f", authenticatorAttachment: null, transports: ["nfc"] }, { authenticatorType: "cross-platform" }),
    ).resolves.toMatchObject({ transports: ["nfc"] });
  });

  // Under the defaults a key of any maker registers: what it cannot prove is shown as claimed, not refused.
  it.each([
    ["none", "sent no attestation"],
    ["packed-self", "self attestation"],
  ] as const)("accepts a key whose attestation is %s, its model claimed (%s)", async (attestation, reason) => {
    await expect(register({ attestation }, {})).resolves.toMatchObject({ proof: { proven: false, detail: expect.stringContaining(reason) } });
  });

  it("accepts a U2F key whose batch certificate chains to no trusted root, its model claimed", async () => {
    await expect(register({ attestation: "fido-u2f" }, {}, VENDOR_ONLY)).resolves.toMatchObject({
      aaguid: ZERO_AAGUID,
      proof: { proven: false, detail: expect.stringContaining("self-signed") },
    });
  });
});

describe("Accept only verified key models", () => {
  const VERIFIED = { requireVerifiedModel: true } as const;

  it.each([
    ["none", "sent no attestation"],
    ["packed-self", "self attestation"],
  ] as const)("refuses a key whose attestation is %s: its model is not proven", async (attestation, reason) => {
    const refusal = await refusalOf(register({ attestation }, VERIFIED), "attestation-required");
    expect(refusal.message).toContain(reason);
    expect(refusal.message).toMatch(/Use a security key from a known maker, or ask your admin\.$/);
  });

  it("refuses a U2F key whose batch certificate chains to no trusted root", async () => {
    const refusal = await refusalOf(register({ attestation: "fido-u2f" }, VERIFIED, VENDOR_ONLY), "attestation-required");
    expect(refusal.message).toContain("self-signed");
  });

  it("accepts the same keys once their root is trusted, their model proven", async () => {
    await expect(register({ attestation: "fido-u2f" }, VERIFIED)).resolves.toMatchObject({ proof: { proven: true, source: "operator" } });
    await expect(register({ attestation: "packed" }, { ...VERIFIED, authenticatorType: "any" })).resolves.toMatchObject({ proof: { proven: true } });
  });
});
