import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { WebAuthnRefusal, type RefusalCode } from "@/lib/webauthn/refusal";
import { verifyKeyRegistration, type KeyPolicy } from "@/lib/webauthn/verify";
import { SOFT_KEY_AAGUID, SoftAuthenticator, ZERO_AAGUID, type RegisterOptions } from "../support/soft-authenticator";

// The org's security key policy applied at registration (DESIGN §3): blocked
// and allowed models by AAGUID, attestation required under an allow-list,
// physical keys only.

const RP = { rpID: "gatehouse.test", origin: "https://gatehouse.test" };
const key = new SoftAuthenticator({ rpId: RP.rpID, origin: RP.origin });
const OPEN: KeyPolicy = { userVerification: "discouraged", authenticatorType: "cross-platform", allowedAaguids: [], blockedAaguids: [] };

/** Named "YubiKey 5 Series" in lib/webauthn/aaguids.ts. */
const YUBIKEY_5 = "ee882879-721c-4913-9775-3dfcce97072a";

async function register(options: RegisterOptions, policy: Partial<KeyPolicy>) {
  const challenge = randomBytes(32).toString("base64url");
  const { response } = key.register(challenge, options);
  return verifyKeyRegistration(response, { challenge, ...RP }, { ...OPEN, ...policy });
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

  it("lets other models through a deny-list", async () => {
    await expect(register({ attestation: "packed-self", aaguid: YUBIKEY_5 }, { blockedAaguids: [SOFT_KEY_AAGUID] })).resolves.toMatchObject({
      aaguid: YUBIKEY_5,
    });
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

  it("accepts self and none attestation when there is no allow-list", async () => {
    await expect(register({ attestation: "packed-self" }, {})).resolves.toMatchObject({ attestation: "self" });
    await expect(register({ attestation: "none" }, {})).resolves.toMatchObject({ attestation: "none" });
  });

  // KNOWN WEAKNESS: no vendor attestation roots are configured, so any
  // self-made certificate passes as "certificate" attestation and can claim an
  // allowed AAGUID. The soft authenticator's own test root shows it. Once
  // attestation is verified against trusted roots (FIDO MDS or pinned vendor
  // roots), this starts passing and `it.fails` must become `it`.
  it.fails("refuses an allowed AAGUID attested by a certificate from an untrusted root", async () => {
    await refusalOf(register({ attestation: "packed" }, { allowedAaguids: [SOFT_KEY_AAGUID] }), "attestation-required");
  });
});

describe("physical security keys only (authenticatorType cross-platform)", () => {
  const platformKeys: [string, RegisterOptions][] = [
    ["authenticatorAttachment 'platform'", { authenticatorAttachment: "platform", transports: ["internal"] }],
    ["transports ['internal'] without an attachment", { authenticatorAttachment: null, transports: ["internal"] }],
    ["a synced passkey (backup eligible and backed up)", { authenticatorAttachment: null, transports: ["hybrid"], backupEligible: true, backedUp: true }],
  ];

  it.each(platformKeys)("refuses %s", async (_what, options) => {
    const refusal = await refusalOf(register({ attestation: "none", ...options }, { authenticatorType: "cross-platform" }), "platform-not-allowed");
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
});
