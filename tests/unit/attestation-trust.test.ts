import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { decodeAttestationObject, isoBase64URL } from "@simplewebauthn/server/helpers";
import { describe, expect, it } from "vitest";
import { storedKeyRefusal } from "@/lib/webauthn/key-policy";
import { WebAuthnRefusal } from "@/lib/webauthn/refusal";
import { verifyAttestationChain, type TrustAnchor } from "@/lib/webauthn/trust/chain";
import { loadTrustStore, proveModel, TrustConfigError } from "@/lib/webauthn/trust/store";
import { FIDO_MDS_ROOT, VENDOR_ROOTS } from "@/lib/webauthn/trust/vendor-roots";
import { verifyKeyRegistration, type KeyPolicy } from "@/lib/webauthn/verify";
import { blobFile, mdsBlob as testMdsBlob, TEST_MDS_CONFIG } from "../support/mds-blob";
import { SOFT_KEY_AAGUID, SoftAuthenticator } from "../support/soft-authenticator";

// The trust store (DESIGN §9): pinned vendor roots, chain validation, the
// operator's roots and a FIDO MDS BLOB verified before any entry is believed.

const FIXTURES = new URL("../fixtures/webauthn/", import.meta.url);
const fixture = (file: string) => readFileSync(new URL(file, FIXTURES), "utf8");
const der = (file: string) => new Uint8Array(new X509Certificate(fixture(`chains/${file}`)).raw);
const anchor = (file: string): TrustAnchor => ({ certificate: new X509Certificate(fixture(`chains/${file}`)), label: "Test", source: "operator" });

const VENDOR_ONLY = loadTrustStore({});
const ANY: KeyPolicy = { userVerification: "discouraged", authenticatorType: "any", requireVerifiedModel: false, allowedAaguids: [], blockedAaguids: [] };
/** A new org's defaults: physical keys only, any maker. */
const KEYS_ONLY: KeyPolicy = { ...ANY, authenticatorType: "cross-platform" };
/** "Accept only verified key models". */
const VERIFIED: KeyPolicy = { ...KEYS_ONLY, requireVerifiedModel: true };
const AAGUID_X = "11111111-2222-3333-4444-555555555555";

describe("bundled vendor roots", () => {
  it.each(VENDOR_ROOTS.map((root) => [root.subject, root] as const))("%s matches its pinned SHA-256 fingerprint and is a self-signed CA", (_subject, root) => {
    const certificate = new X509Certificate(root.pem);
    expect(createHash("sha256").update(certificate.raw).digest("hex")).toBe(root.sha256);
    expect(certificate.subject.replace(/\n/g, ", ")).toBe(root.subject);
    expect(certificate.ca).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(root.source).toMatch(/https:\/\/|FIDO MDS/);
  });

  it("includes the three Yubico roots", () => {
    expect(VENDOR_ROOTS.map((r) => r.subject)).toEqual(
      expect.arrayContaining(["CN=Yubico U2F Root CA Serial 457200631", "CN=Yubico FIDO Root CA Serial 450203556", "CN=Yubico Attestation Root 1"]),
    );
  });

  it("pins the FIDO MDS root by fingerprint", () => {
    expect(createHash("sha256").update(new X509Certificate(FIDO_MDS_ROOT.pem).raw).digest("hex")).toBe(FIDO_MDS_ROOT.sha256);
  });
});

interface RealFixture {
  expectedChallenge: string;
  expectedOrigin: string;
  expectedRPID: string;
  response: RegistrationResponseJSON;
}

function realRegistration(file: string) {
  const f = JSON.parse(fixture(`real/${file}`)) as RealFixture;
  return verifyKeyRegistration(f.response, { challenge: f.expectedChallenge, origin: f.expectedOrigin, rpID: f.expectedRPID }, ANY, VENDOR_ONLY);
}

describe("real keys prove their model with the bundled roots", () => {
  it.each([
    ["u2f-yubikey-fido2lib.json", "Yubico"],
    ["u2f-yubikey-gowebauthn.json", "Yubico"],
    ["u2f-yubikey-pywebauthn-localhost.json", "Yubico"],
    ["u2f-yubikey-simplewebauthn.json", "Yubico"],
    ["packed-yubico-securitykey-nfc-x5c-pywebauthn.json", "Yubico"],
    ["packed-yubikey-ed25519-x5c.json", "Yubico"],
    ["packed-feitian-x5c-fido2lib.json", "Feitian"],
  ])("%s is proven by the %s root", async (file, vendor) => {
    const key = await realRegistration(file);
    expect(key.proof).toEqual({ proven: true, source: "vendor", detail: vendor });
  });

  it.each([
    ["u2f-fido-conformance-batch-key.json", "untrusted issuer"],
    ["u2f-hypersecu-fido2lib.json", "expired"],
    ["w3c-l3-packed-full-es256-registration.json", "untrusted issuer"],
    ["packed-self-es256-simplewebauthn.json", "self attestation"],
    ["w3c-l3-none-es256-registration.json", "no attestation"],
  ])("%s is not proven (%s)", async (file, reason) => {
    const key = await realRegistration(file);
    expect(key.proof.proven).toBe(false);
    expect(key.proof.detail).toContain(reason);
  });

  it("refuses a real YubiKey under 'Accept only verified key models' when no root is trusted, and accepts it as claimed under the defaults", async () => {
    const f = JSON.parse(fixture("real/u2f-yubikey-simplewebauthn.json")) as RealFixture;
    const bare = { anchors: [], mds: null };
    const expected = { challenge: f.expectedChallenge, origin: f.expectedOrigin, rpID: f.expectedRPID };
    await expect(verifyKeyRegistration(f.response, expected, VERIFIED, bare)).rejects.toMatchObject({ code: "attestation-required" });
    await expect(verifyKeyRegistration(f.response, expected, KEYS_ONLY, bare)).resolves.toMatchObject({ proof: { proven: false } });
  });

  // Makers whose root Gatehouse does not bundle: a new org's defaults accept them, their model shown as claimed.
  it.each(["u2f-hypersecu-fido2lib.json", "u2f-fido-conformance-batch-key.json"])("%s registers under the defaults, its model claimed", async (file) => {
    const f = JSON.parse(fixture(`real/${file}`)) as RealFixture;
    const expected = { challenge: f.expectedChallenge, origin: f.expectedOrigin, rpID: f.expectedRPID };
    await expect(verifyKeyRegistration(f.response, expected, KEYS_ONLY, VENDOR_ONLY)).resolves.toMatchObject({ proof: { proven: false } });
    await expect(verifyKeyRegistration(f.response, expected, VERIFIED, VENDOR_ONLY)).rejects.toMatchObject({ code: "attestation-required" });
  });
});

describe("chain validation", () => {
  const roots = [anchor("root.pem")];

  it("accepts a leaf issued by a trusted root, directly or through a CA intermediate", () => {
    expect(verifyAttestationChain([der("leaf.pem")], roots, AAGUID_X)).toMatchObject({ proven: true });
    expect(verifyAttestationChain([der("leaf-no-aaguid.pem")], roots, AAGUID_X)).toMatchObject({ proven: true });
    expect(verifyAttestationChain([der("leaf-via-intermediate.pem"), der("intermediate.pem")], roots, AAGUID_X)).toMatchObject({ proven: true });
  });

  it.each([
    ["a chain to an unknown root", ["leaf-unknown-root.pem", "unknown-root.pem"], "untrusted issuer"],
    ["a self-signed leaf", ["leaf-self-signed.pem"], "self-signed"],
    ["an expired leaf", ["leaf-expired.pem"], "expired"],
    ["a leaf that is a CA", ["leaf-ca.pem"], "CA certificate"],
    ["a leaf that may not sign", ["leaf-no-signing.pem"], "may not sign"],
    ["a leaf whose AAGUID extension disagrees", ["leaf-other-aaguid.pem"], "AAGUID differs"],
    ["an intermediate that is not a CA", ["leaf-via-not-a-ca.pem", "not-a-ca.pem"], "not a CA"],
    ["a leaf without its intermediate", ["leaf-via-intermediate.pem"], "untrusted issuer"],
  ])("does not prove %s", (_what, files, reason) => {
    const verdict = verifyAttestationChain(files.map(der), roots, AAGUID_X);
    expect(verdict.proven).toBe(false);
    expect(verdict.proven ? "" : verdict.reason).toContain(reason);
  });

  it("refuses a root that has expired by the time of the ceremony", () => {
    expect(verifyAttestationChain([der("leaf.pem")], roots, AAGUID_X, new Date("2099-01-01"))).toMatchObject({ proven: false });
  });
});

describe("ATTESTATION_ROOTS_FILE", () => {
  it("adds the operator's roots, marked as theirs", () => {
    const store = loadTrustStore({ ATTESTATION_ROOTS_FILE: "tests/fixtures/webauthn/chains/root.pem" });
    expect(store.anchors.filter((a) => a.source === "operator")).toHaveLength(1);
    expect(proveModel(store, { fmt: "packed", aaguid: AAGUID_X, x5c: [der("leaf.pem")] })).toMatchObject({ proven: true, source: "operator" });
  });

  it.each([
    ["a missing file", "tests/fixtures/does-not-exist.pem", /ATTESTATION_ROOTS_FILE: cannot read/],
    ["a file without certificates", "README.md", /ATTESTATION_ROOTS_FILE: README.md: it contains no PEM certificate/],
  ])("refuses %s, naming the variable", (_what, file, message) => {
    expect(() => loadTrustStore({ ATTESTATION_ROOTS_FILE: file })).toThrow(message);
  });

  it("trusts Chromium's virtual authenticator (u2f and ctap2) only when its batch certificate is listed", async () => {
    const withRoot = loadTrustStore({ ATTESTATION_ROOTS_FILE: "tests/fixtures/webauthn/chromium/virtual-authenticator-batch-certificate.pem" });
    for (const protocol of ["u2f", "ctap2"]) {
      const f = JSON.parse(fixture(`chromium/${protocol}-registration.json`)) as RealFixture;
      const expected = { challenge: f.expectedChallenge, origin: f.expectedOrigin, rpID: f.expectedRPID };
      const allowList: KeyPolicy = { ...KEYS_ONLY, allowedAaguids: ["01020304-0506-0708-0102-030405060708"] };
      const policy = protocol === "ctap2" ? allowList : VERIFIED;
      const refusal = await verifyKeyRegistration(f.response, expected, policy, VENDOR_ONLY).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(WebAuthnRefusal);
      expect((refusal as WebAuthnRefusal).code).toBe("attestation-required");
      expect((refusal as WebAuthnRefusal).message).toContain("self-signed attestation certificate");
      await expect(verifyKeyRegistration(f.response, expected, policy, withRoot)).resolves.toMatchObject({ proof: { proven: true, source: "operator" } });
    }
  });
});

// A test MDS BLOB, signed by the FIDO metadata signer's double under the test root (tests/support/mds-blob.ts).
const mdsBlob = (entries: unknown[], tamper = false) => testMdsBlob(entries, { tamper });

const softRoot = Buffer.from(new X509Certificate(fixture("attestation/packed-root.pem")).raw).toString("base64");
const entry = (status: string) => ({
  aaguid: SOFT_KEY_AAGUID,
  metadataStatement: {
    description: "Gatehouse Test Key",
    aaguid: SOFT_KEY_AAGUID,
    attestationRootCertificates: [softRoot],
    attachmentHint: ["external", "wired"],
  },
  statusReports: [{ status: "FIDO_CERTIFIED", effectiveDate: "2024-01-01" }, ...(status === "FIDO_CERTIFIED" ? [] : [{ status, effectiveDate: "2025-06-01" }])],
});

const TEST_ROOT = "tests/fixtures/webauthn/chains/mds-root.pem";

describe("FIDO_MDS_FILE", () => {
  const soft = new SoftAuthenticator({ rpId: "gatehouse.test", origin: "https://gatehouse.test" });
  const registerSoft = (store: ReturnType<typeof loadTrustStore>, policy = VERIFIED) => {
    const challenge = isoBase64URL.fromBuffer(new Uint8Array(32).fill(7));
    const { response } = soft.register(challenge, { attestation: "packed" });
    return verifyKeyRegistration(response, { challenge, origin: "https://gatehouse.test", rpID: "gatehouse.test" }, policy, store);
  };

  it("trusts a BLOB signed under the test root only when the test-only setting names that root", () => {
    const file = blobFile(mdsBlob([entry("FIDO_CERTIFIED")]));
    expect(() => loadTrustStore({ FIDO_MDS_FILE: file })).toThrow(/FIDO_MDS_FILE: .* does not chain to the FIDO Alliance root/);
    const store = loadTrustStore({ FIDO_MDS_FILE: file, ...TEST_MDS_CONFIG });
    expect(store.mds?.serial).toBe(42);
  });

  it("refuses the test root in production", () => {
    const file = blobFile(mdsBlob([entry("FIDO_CERTIFIED")]));
    expect(() => loadTrustStore({ FIDO_MDS_FILE: file, FIDO_MDS_TEST_ROOT_FILE: TEST_ROOT, NODE_ENV: "production" })).toThrow(
      /FIDO_MDS_TEST_ROOT_FILE: .*refused when NODE_ENV=production/,
    );
  });

  it("gives names and roots: a key chaining to its model's MDS root is proven by MDS", async () => {
    const store = loadTrustStore({ FIDO_MDS_FILE: blobFile(mdsBlob([entry("FIDO_CERTIFIED")])), ...TEST_MDS_CONFIG });
    const key = await registerSoft(store);
    expect(key).toMatchObject({ modelName: "Gatehouse Test Key", proof: { proven: true, source: "mds", detail: "FIDO MDS" } });
  });

  it("refuses a model whose latest status report is REVOKED, at registration and at every later assertion", async () => {
    const store = loadTrustStore({ FIDO_MDS_FILE: blobFile(mdsBlob([entry("REVOKED")])), ...TEST_MDS_CONFIG });
    const refusal = await registerSoft(store, ANY).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: "model-compromised" });
    expect((refusal as Error).message).toContain("revoked: Gatehouse Test Key");
    const stored = { aaguid: SOFT_KEY_AAGUID, name: "Gatehouse Test Key", modelProven: true, backupEligible: false, transports: ["usb"] };
    expect(storedKeyRefusal(ANY, stored, store)).toMatchObject({ code: "model-compromised" });
  });

  it("refuses ATTESTATION_KEY_COMPROMISE of the whole model", async () => {
    const store = loadTrustStore({
      FIDO_MDS_FILE: blobFile(mdsBlob([entry("ATTESTATION_KEY_COMPROMISE")])),
      ...TEST_MDS_CONFIG,
    });
    await expect(registerSoft(store, ANY)).rejects.toMatchObject({ code: "model-compromised" });
  });

  it.each([
    ["a tampered payload", () => mdsBlob([entry("FIDO_CERTIFIED")], true), /signature does not verify/],
    ["something that is not a JWT", () => "not a blob", /not a JWT/],
    ["a header without x5c", () => `${Buffer.from('{"alg":"ES256"}').toString("base64url")}.e30.AA`, /no signing certificate chain/],
  ])("stops startup on %s, naming FIDO_MDS_FILE and the reason", (_what, blob, reason) => {
    const file = blobFile(blob());
    let error: unknown;
    try {
      loadTrustStore({ FIDO_MDS_FILE: file, ...TEST_MDS_CONFIG });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrustConfigError);
    expect((error as Error).message).toMatch(/^FIDO_MDS_FILE: /);
    expect((error as Error).message).toMatch(reason);
  });

  it("refuses to start the server with a tampered BLOB", async () => {
    const { vi } = await import("vitest");
    vi.stubEnv("FIDO_MDS_FILE", blobFile(mdsBlob([entry("FIDO_CERTIFIED")], true)));
    vi.stubEnv("FIDO_MDS_TEST_ROOT_FILE", TEST_ROOT);
    vi.stubEnv("FIDO_MDS_SIGNER_ISSUERS", TEST_MDS_CONFIG.FIDO_MDS_SIGNER_ISSUERS);
    vi.stubEnv("AUTH_SECRET", "unit-test-secret-0123456789abcdef0123456789");
    vi.resetModules();
    try {
      const { startServer } = await import("@/lib/server/startup");
      await expect(startServer()).rejects.toThrow(/FIDO_MDS_FILE: .*signature does not verify/);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

// x5c of a real registration, for the AAGUID-extension check on real Yubico certificates.
it("reads the AAGUID a real YubiKey's attestation certificate names, and it matches the authenticator data", async () => {
  const f = JSON.parse(fixture("real/packed-yubico-securitykey-nfc-x5c-pywebauthn.json")) as RealFixture;
  const attestation = decodeAttestationObject(isoBase64URL.toBuffer(f.response.response.attestationObject));
  const x5c = attestation.get("attStmt").get("x5c") as Uint8Array[];
  const key = await realRegistration("packed-yubico-securitykey-nfc-x5c-pywebauthn.json");
  expect(verifyAttestationChain(x5c, loadTrustStore({}).anchors, key.aaguid)).toMatchObject({ proven: true });
  expect(verifyAttestationChain(x5c, loadTrustStore({}).anchors, "99999999-8888-7777-6666-555555555555")).toMatchObject({ proven: false });
});
