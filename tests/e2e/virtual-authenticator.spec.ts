import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { verifyAuthenticationResponse, verifyRegistrationResponse, type WebAuthnCredential } from "@simplewebauthn/server";
import { convertAAGUIDToString, decodeAttestationObject, parseAuthenticatorData } from "@simplewebauthn/server/helpers";
import { addVirtualAuthenticator, cloneCredential, toBase64url, type AuthenticatorProtocol } from "../support/virtual-authenticator";

// Smoke test for tests/support/virtual-authenticator.ts: each protocol must
// behave like the key generation it stands for, in the real browser, and the
// ceremonies must verify server-side the way the app will verify them.

const RP_ID = "localhost";
const U2F_AAGUID = "00000000-0000-0000-0000-000000000000";
const CHROMIUM_CTAP2_AAGUID = "01020304-0506-0708-0102-030405060708";

interface Created {
  id: string;
  attestationObject: string;
  clientDataJSON: string;
}

interface Asserted {
  id: string;
  authenticatorData: string;
  clientDataJSON: string;
  signature: string;
}

const challenge = () => crypto.randomBytes(32).toString("base64url");

// The page functions below run in the browser, so they carry their own base64url helpers.
async function createCredential(page: Page, challengeB64: string): Promise<Created> {
  return page.evaluate(
    async ({ challengeB64, rpId }) => {
      const fromB64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const toB64 = (b: ArrayBuffer) =>
        btoa(String.fromCharCode(...new Uint8Array(b)))
          .replace(/\+/g, "-")
          .replace(/\//g, "_")
          .replace(/=+$/, "");
      const cred = (await navigator.credentials.create({
        publicKey: {
          rp: { id: rpId, name: "Gatehouse e2e" },
          user: { id: crypto.getRandomValues(new Uint8Array(16)), name: "erin@e2e.test", displayName: "Erin Admin" },
          challenge: fromB64(challengeB64),
          pubKeyCredParams: [{ type: "public-key", alg: -7 }],
          attestation: "direct",
          // "preferred", not "required": a U2F key cannot verify the user and the browser would refuse.
          authenticatorSelection: { userVerification: "preferred" },
          timeout: 10_000,
        },
      })) as PublicKeyCredential;
      const response = cred.response as AuthenticatorAttestationResponse;
      return { id: cred.id, attestationObject: toB64(response.attestationObject), clientDataJSON: toB64(response.clientDataJSON) };
    },
    { challengeB64, rpId: RP_ID },
  );
}

async function getAssertion(
  page: Page,
  challengeB64: string,
  credentialId: string,
  userVerification: UserVerificationRequirement = "preferred",
): Promise<Asserted> {
  return page.evaluate(
    async ({ challengeB64, credentialId, rpId, userVerification }) => {
      const fromB64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const toB64 = (b: ArrayBuffer) =>
        btoa(String.fromCharCode(...new Uint8Array(b)))
          .replace(/\+/g, "-")
          .replace(/\//g, "_")
          .replace(/=+$/, "");
      const cred = (await navigator.credentials.get({
        publicKey: {
          rpId,
          challenge: fromB64(challengeB64),
          allowCredentials: [{ type: "public-key", id: fromB64(credentialId) }],
          userVerification,
          timeout: 10_000,
        },
      })) as PublicKeyCredential;
      const response = cred.response as AuthenticatorAssertionResponse;
      return {
        id: cred.id,
        authenticatorData: toB64(response.authenticatorData),
        clientDataJSON: toB64(response.clientDataJSON),
        signature: toB64(response.signature),
      };
    },
    { challengeB64, credentialId, rpId: RP_ID, userVerification },
  );
}

async function register(page: Page) {
  const expectedChallenge = challenge();
  const created = await createCredential(page, expectedChallenge);
  const verification = await verifyRegistrationResponse({
    response: {
      id: created.id,
      rawId: created.id,
      type: "public-key",
      response: { attestationObject: created.attestationObject, clientDataJSON: created.clientDataJSON },
      clientExtensionResults: {},
    },
    expectedChallenge,
    expectedOrigin: new URL(page.url()).origin,
    expectedRPID: RP_ID,
    requireUserVerification: false,
  });
  expect(verification.verified).toBe(true);
  if (!verification.registrationInfo) throw new Error("no registrationInfo");
  return { created, credential: verification.registrationInfo.credential };
}

async function authenticate(page: Page, credential: WebAuthnCredential) {
  const expectedChallenge = challenge();
  const asserted = await getAssertion(page, expectedChallenge, credential.id);
  expect(asserted.id).toBe(credential.id);
  return { asserted, verification: await verifyAssertion(page, credential, asserted, expectedChallenge) };
}

function verifyAssertion(page: Page, credential: WebAuthnCredential, asserted: Asserted, expectedChallenge: string) {
  return verifyAuthenticationResponse({
    response: { id: asserted.id, rawId: asserted.id, type: "public-key", response: asserted, clientExtensionResults: {} },
    expectedChallenge,
    expectedOrigin: new URL(page.url()).origin,
    expectedRPID: RP_ID,
    credential,
    requireUserVerification: false,
  });
}

const expectations: Record<AuthenticatorProtocol, { fmt: string; aaguid: string; uv: boolean }> = {
  u2f: { fmt: "fido-u2f", aaguid: U2F_AAGUID, uv: false },
  ctap2: { fmt: "packed", aaguid: CHROMIUM_CTAP2_AAGUID, uv: true },
};

for (const protocol of ["u2f", "ctap2"] as const) {
  test(`${protocol}: registers with ${expectations[protocol].fmt} attestation and signs in`, async ({ page }) => {
    await page.goto("/login");
    const key = await addVirtualAuthenticator(page, { protocol });
    expect(key.authenticatorId).not.toBe("");

    const { created, credential } = await register(page);
    const attestation = decodeAttestationObject(Buffer.from(created.attestationObject, "base64url"));
    expect(attestation.get("fmt")).toBe(expectations[protocol].fmt);
    const authData = parseAuthenticatorData(attestation.get("authData"));
    if (!authData.aaguid) throw new Error("attestation carries no AAGUID");
    expect(convertAAGUIDToString(authData.aaguid)).toBe(expectations[protocol].aaguid);

    const { asserted, verification } = await authenticate(page, credential);
    expect(verification.verified).toBe(true);
    expect(verification.authenticationInfo.newCounter).toBeGreaterThan(0);
    const flags = parseAuthenticatorData(Buffer.from(asserted.authenticatorData, "base64url")).flags;
    expect(flags.up).toBe(true);
    expect(flags.uv).toBe(expectations[protocol].uv);

    const stored = await key.getCredentials();
    expect(stored).toHaveLength(1);
    expect(toBase64url(stored[0]!.credentialId)).toBe(created.id);
    // A U2F key never learns the RP ID itself (only its hash), so Chromium exports none.
    expect(stored[0]!.rpId).toBe(protocol === "ctap2" ? RP_ID : undefined);
    expect(stored[0]!.signCount).toBeGreaterThan(0);
  });
}

test("u2f: a credential cloned with a lower signCount answers with a counter the server rejects", async ({ page }) => {
  await page.goto("/login");
  const original = await addVirtualAuthenticator(page, { protocol: "u2f" });
  const { credential } = await register(page);
  for (let i = 0; i < 2; i++) {
    const { verification } = await authenticate(page, credential);
    credential.counter = verification.authenticationInfo.newCounter;
  }
  expect(credential.counter).toBeGreaterThanOrEqual(2);

  const clone = await addVirtualAuthenticator(page, { protocol: "u2f" });
  const copy = await cloneCredential(original, clone, credential.id, { signCount: 0, move: true });
  expect(copy.signCount).toBe(0);
  expect(await original.getCredentials()).toEqual([]);
  expect(await clone.getCredentials()).toHaveLength(1);

  // The clone holds the same private key, so the browser signs happily; only the counter betrays it.
  await expect(authenticate(page, credential)).rejects.toThrow(/counter/i);
  expect((await clone.getCredentials())[0]!.signCount).toBe(1);
});

test("ctap2: user verification and response overrides change what the browser returns", async ({ page }) => {
  await page.goto("/login");
  const key = await addVirtualAuthenticator(page, { protocol: "ctap2" });
  const { credential } = await register(page);

  await key.setResponseOverrideBits({ isBogusSignature: true });
  // The browser hands the bad assertion over as usual; only the server can tell.
  const bogusChallenge = challenge();
  const bogus = await getAssertion(page, bogusChallenge, credential.id);
  // The bogus signature is not even valid DER, so the verifier may throw rather than say false.
  const bogusVerified = await verifyAssertion(page, credential, bogus, bogusChallenge).then(
    (v) => v.verified,
    () => false,
  );
  expect(bogusVerified).toBe(false);
  await key.setResponseOverrideBits({ isBogusSignature: false });
  expect((await authenticate(page, credential)).verification.verified).toBe(true);

  await key.setUserVerified(false);
  await expect(getAssertion(page, challenge(), credential.id, "required")).rejects.toThrow(/NotAllowedError/);

  await key.remove();
  await expect(key.getCredentials()).rejects.toThrow();
});
