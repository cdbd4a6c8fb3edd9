import { createPrivateKey } from "node:crypto";
import type { AuthenticatorTransport } from "@simplewebauthn/server";
import type { AttestationFormat, SoftCredential } from "../../tests/support/soft-authenticator";

// What seed.ts hands the load generator: who can log in, and each software
// key's private half (a real key never exports it; the bench's keys are its own).

export interface SeededOrg {
  orgId: string;
  slug: string;
  adminUsername: string;
  adminId: string;
}

export interface StoredCredential {
  id: string;
  publicKey: string;
  privateKeyPem: string;
  rpId: string;
  counter: number;
  aaguid: string;
  transports: AuthenticatorTransport[];
  attestation: AttestationFormat;
}

export interface SeededUser {
  username: string;
  userId: string;
  orgId: string;
  /** null: a password-only user. */
  credential: StoredCredential | null;
}

export interface SeedFile {
  appUrl: string;
  password: string;
  small: SeededOrg;
  big: SeededOrg;
  /** The org a flood of wrong passwords targets: its users are user-1@<slug>.bench … user-<users>@<slug>.bench. */
  flood: { org: SeededOrg; users: number };
  users: SeededUser[];
  /** Pending-login tokens per username (minted by `seed.ts mint`). */
  pending: Record<string, string[]>;
}

export function exportCredential(credential: SoftCredential, attestation: AttestationFormat): StoredCredential {
  return {
    id: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString("base64url"),
    privateKeyPem: credential.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    rpId: credential.rpId,
    counter: credential.counter,
    aaguid: credential.aaguid,
    transports: credential.transports,
    attestation,
  };
}

export function importCredential(stored: StoredCredential): SoftCredential {
  return {
    id: stored.id,
    publicKey: new Uint8Array(Buffer.from(stored.publicKey, "base64url")),
    privateKey: createPrivateKey(stored.privateKeyPem),
    rpId: stored.rpId,
    counter: stored.counter,
    aaguid: stored.aaguid,
    backupEligible: false,
    backedUp: false,
    transports: stored.transports,
  };
}
