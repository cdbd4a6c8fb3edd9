import type { CDPSession, Page } from "@playwright/test";

// Chromium's WebAuthn virtual authenticator, driven over CDP, so e2e tests
// exercise real first-generation (u2f → fido-u2f attestation) and FIDO2
// (ctap2 → packed attestation) keys in a real browser. Playwright's own
// context.credentials API cannot do this: it always answers fmt "none".
//
// Facts this relies on (see /work/shared/TESTING-NOTES.md): the CDP session
// must be opened on the page (a browser session has no WebAuthn domain), the
// authenticator belongs to that one tab (popups do not see it, reloads keep
// it), and the page must be served from http://localhost with RP ID localhost.

export type AuthenticatorProtocol = "u2f" | "ctap2";
export type Ctap2Version = "ctap2_0" | "ctap2_1" | "ctap2_2";
export type AuthenticatorTransport = "usb" | "nfc" | "ble" | "cable" | "hybrid" | "smart-card" | "internal";

/** Mirrors CDP WebAuthn.VirtualAuthenticatorOptions (Playwright does not export the protocol types). */
export interface VirtualAuthenticatorOptions {
  protocol: AuthenticatorProtocol;
  ctap2Version?: Ctap2Version;
  /** u2f keys only speak usb, nfc or ble. */
  transport?: AuthenticatorTransport;
  hasResidentKey?: boolean;
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
  /** Touch the key automatically; false leaves every ceremony waiting for a touch that never comes. */
  automaticPresenceSimulation?: boolean;
  defaultBackupEligibility?: boolean;
  defaultBackupState?: boolean;
}

/**
 * Mirrors CDP WebAuthn.Credential. Binary fields are standard base64; the
 * private key (PKCS#8, P-256) is included, which is what makes cloning possible.
 */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  /** Absent on credentials exported from a u2f authenticator. */
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  /** -1 means "no counter": assertions then always report 0. */
  signCount: number;
  largeBlob?: string;
  backupEligibility?: boolean;
  backupState?: boolean;
  userName?: string;
  userDisplayName?: string;
}

/** Makes the next responses misbehave; all false restores normal behaviour. */
export interface ResponseOverrideBits {
  /** Invalid signature (ctap2 only; a u2f authenticator ignores it). */
  isBogusSignature?: boolean;
  /** User verification flag cleared. */
  isBadUV?: boolean;
  /** User presence flag cleared. */
  isBadUP?: boolean;
}

export interface VirtualAuthenticator {
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly authenticatorId: string;
  /** The options actually sent to Chromium, defaults filled in. */
  readonly options: Readonly<Required<Pick<VirtualAuthenticatorOptions, "protocol" | "transport">>> & VirtualAuthenticatorOptions;
  getCredentials(): Promise<VirtualCredential[]>;
  /** One credential by id (base64 or base64url); throws when this authenticator does not hold it. */
  getCredential(credentialId: string): Promise<VirtualCredential>;
  addCredential(credential: VirtualCredential): Promise<void>;
  removeCredential(credentialId: string): Promise<void>;
  clearCredentials(): Promise<void>;
  setUserVerified(isUserVerified: boolean): Promise<void>;
  setAutomaticPresenceSimulation(enabled: boolean): Promise<void>;
  setResponseOverrideBits(bits: ResponseOverrideBits): Promise<void>;
  /** Unplugs the key; its credentials are gone with it. */
  remove(): Promise<void>;
}

// One CDP session per page: every authenticator in a tab shares it, so a
// second authenticator (e.g. the "clone" of a key) lives in the same
// WebAuthn environment as the first instead of replacing it.
const sessions = new WeakMap<Page, Promise<CDPSession>>();

async function webAuthnSession(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = (async () => {
      const cdp = await page.context().newCDPSession(page);
      // enableUI false: no browser dialog may wait for a click that never comes.
      await cdp.send("WebAuthn.enable", { enableUI: false });
      return cdp;
    })();
    sessions.set(page, session);
    // A failed attempt must not poison later calls.
    session.catch(() => sessions.delete(page));
  }
  return session;
}

function withDefaults(options: VirtualAuthenticatorOptions): VirtualAuthenticator["options"] {
  if (options.protocol === "u2f") {
    // A U2F key has no resident keys and no user verification; Chromium ignores
    // those flags for u2f anyway, so state that plainly rather than pretend.
    return {
      transport: "usb",
      automaticPresenceSimulation: true,
      ...options,
      hasResidentKey: false,
      hasUserVerification: false,
      isUserVerified: false,
    };
  }
  return {
    ctap2Version: "ctap2_1",
    transport: "usb",
    hasResidentKey: true,
    hasUserVerification: true,
    isUserVerified: true,
    automaticPresenceSimulation: true,
    ...options,
  };
}

/** CDP wants standard base64; tests mostly hold base64url (rawId, the app's own ids). */
export function toBase64(id: string): string {
  return Buffer.from(id, "base64url").toString("base64");
}

export function toBase64url(id: string): string {
  return Buffer.from(id, "base64").toString("base64url");
}

/** Plugs a virtual security key into the page's tab. */
export async function addVirtualAuthenticator(page: Page, options: VirtualAuthenticatorOptions): Promise<VirtualAuthenticator> {
  const cdp = await webAuthnSession(page);
  const resolved = withDefaults(options);
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: resolved });

  const authenticator: VirtualAuthenticator = {
    page,
    cdp,
    authenticatorId,
    options: resolved,
    async getCredentials() {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      return credentials;
    },
    async getCredential(credentialId) {
      const { credential } = await cdp.send("WebAuthn.getCredential", { authenticatorId, credentialId: toBase64(credentialId) });
      return credential;
    },
    async addCredential(credential) {
      await cdp.send("WebAuthn.addCredential", { authenticatorId, credential });
    },
    async removeCredential(credentialId) {
      await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: toBase64(credentialId) });
    },
    async clearCredentials() {
      await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
    },
    async setUserVerified(isUserVerified) {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified });
    },
    async setAutomaticPresenceSimulation(enabled) {
      await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled });
    },
    async setResponseOverrideBits(bits) {
      await cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId, ...bits });
    },
    async remove() {
      await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
    },
  };
  return authenticator;
}

export interface CloneCredentialOptions {
  /** Counter the copy starts from; lower than the original's to simulate a cloned key. */
  signCount?: number;
  /** Remove the credential from the source, so only the copy can answer. */
  move?: boolean;
  /** RP ID to import under; defaults to the exported one, else "localhost" (where e2e runs). */
  rpId?: string;
}

const DEFAULT_RP_ID = "localhost";

/**
 * Exports a credential (private key included) from one authenticator and
 * imports it into another, optionally with a different signCount. The target
 * may be in another tab or browser context. Returns the credential as imported.
 */
export async function cloneCredential(
  from: VirtualAuthenticator,
  to: VirtualAuthenticator,
  credentialId: string,
  { signCount, move = false, rpId }: CloneCredentialOptions = {},
): Promise<VirtualCredential> {
  const original = await from.getCredential(credentialId);
  // CDP insists on rpId when adding, but a u2f authenticator exports its
  // credentials without one (a U2F key only ever saw the RP ID's hash).
  const copy: VirtualCredential = {
    ...original,
    rpId: rpId ?? original.rpId ?? DEFAULT_RP_ID,
    signCount: signCount ?? original.signCount,
  };
  if (move) await from.removeCredential(credentialId);
  await to.addCredential(copy);
  return copy;
}
