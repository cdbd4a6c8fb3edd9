import { createPrivateKey, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Test FIDO MDS3 BLOBs: ES256 JWTs signed under the test MDS root
// (tests/fixtures/webauthn/chains/README.md), which the app trusts only through
// FIDO_MDS_TEST_ROOT_FILE, and whose issuing CA it accepts only when
// FIDO_MDS_SIGNER_ISSUERS names it.

const CHAINS = new URL("../fixtures/webauthn/chains/", import.meta.url);
const pem = (file: string) => readFileSync(new URL(file, CHAINS), "utf8");
const base64Der = (file: string) => Buffer.from(new X509Certificate(pem(file)).raw).toString("base64");

export const TEST_MDS_ROOT = "tests/fixtures/webauthn/chains/mds-root.pem";
export const TEST_MDS_ISSUER = "Gatehouse Test MDS Issuing CA";
/** What a test server configures to trust test BLOBs (never valid under NODE_ENV=production). */
export const TEST_MDS_CONFIG = { FIDO_MDS_TEST_ROOT_FILE: TEST_MDS_ROOT, FIDO_MDS_SIGNER_ISSUERS: TEST_MDS_ISSUER, NODE_ENV: "test" } as const;

/** Who signs: the FIDO metadata signer's double, or another certificate under the same test root. */
const SIGNERS = {
  fido: { key: "mds-fido-signer.key.pem", x5c: ["mds-fido-signer.pem", "mds-intermediate.pem"] },
  /** CN=Test MDS BLOB Signer, issued by the root itself. */
  "other-leaf-under-root": { key: "mds-signer.key.pem", x5c: ["mds-signer.pem", "mds-root.pem"] },
  /** CN=www.example.test, issued by the allowed test issuing CA: a web server's certificate. */
  "other-leaf-under-issuer": { key: "mds-other-leaf.key.pem", x5c: ["mds-other-leaf.pem", "mds-intermediate.pem"] },
} as const;

export interface TestBlobOptions {
  serial?: number;
  nextUpdate?: string;
  signer?: keyof typeof SIGNERS;
  /** Change the payload after signing (serial + 1), as an attacker editing the file would. */
  tamper?: boolean;
}

export function mdsBlob(entries: unknown[], options: TestBlobOptions = {}): string {
  const { serial = 42, nextUpdate = "2099-01-01", signer = "fido", tamper = false } = options;
  const { key, x5c } = SIGNERS[signer];
  const header = Buffer.from(JSON.stringify({ alg: "ES256", typ: "JWT", x5c: x5c.map(base64Der) })).toString("base64url");
  const body = (no: number) => Buffer.from(JSON.stringify({ legalHeader: "test", no, nextUpdate, entries })).toString("base64url");
  const signature = sign("sha256", Buffer.from(`${header}.${body(serial)}`), { key: createPrivateKey(pem(key)), dsaEncoding: "ieee-p1363" });
  return `${header}.${tamper ? body(serial + 1) : body(serial)}.${signature.toString("base64url")}`;
}

/** Writes text to a fresh temporary directory and returns the file's path. */
export function blobFile(blob: string, name = "blob.jwt"): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "gatehouse-mds-")), name);
  writeFileSync(file, blob);
  return file;
}
