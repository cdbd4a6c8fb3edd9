import "server-only";
import { X509Certificate, verify as verifySignature } from "node:crypto";
import { issuedBy } from "./chain";

// Who may sign a FIDO MDS3 BLOB. Its roots (GlobalSign Root CA - R3 and Root
// R46) are public web roots under which anyone can buy a certificate, so a
// chain to them proves nothing by itself: the leaf must be the FIDO Alliance's
// metadata signer, issued by a CA the Alliance is known to use.

/** Subject CN of the BLOB's signing certificate (an EV TLS certificate of the MDS host, O=Fido Alliance, Inc.). */
export const FIDO_MDS_SIGNER_CN = "mds.fidoalliance.org";

/**
 * CAs that issue that certificate, by subject CN. Today's since 2026-08-21 (under Root R46);
 * its predecessor, GlobalSign Extended Validation CA - SHA256 - G3, expired in September 2026.
 * FIDO_MDS_SIGNER_ISSUERS adds CNs or SHA-256 fingerprints, so a renewal under a new CA is one setting.
 */
export const DEFAULT_MDS_SIGNER_ISSUERS: readonly string[] = ["GlobalSign GCC R46 EV TLS CA 2025"];

/** What a BLOB must chain to and who may have signed it. */
export interface MdsBlobTrust {
  roots: readonly X509Certificate[];
  /** Issuing CAs of the signer: subject CNs, or SHA-256 fingerprints of the CA certificate. */
  signerIssuers: readonly string[];
}

export class MdsBlobError extends Error {}

/** The shipped issuers plus FIDO_MDS_SIGNER_ISSUERS (comma-separated CNs or SHA-256 fingerprints). */
export function signerIssuers(configured: string | undefined): string[] {
  const extra = (configured ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  return [...DEFAULT_MDS_SIGNER_ISSUERS, ...extra];
}

const FINGERPRINT = /^(?:sha256:)?((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})$/i;

function commonNames(name: string): string[] {
  return name
    .split("\n")
    .filter((part) => part.startsWith("CN="))
    .map((part) => part.slice(3));
}

const oneLine = (name: string) => name.replace(/\n/g, ", ");

function issuerAllowed(issuer: X509Certificate, allowed: readonly string[]): boolean {
  const fingerprint = issuer.fingerprint256.replace(/:/g, "").toLowerCase();
  const names = commonNames(issuer.subject);
  return allowed.some((entry) => {
    const pinned = FINGERPRINT.exec(entry)?.[1];
    return pinned ? pinned.replace(/:/g, "").toLowerCase() === fingerprint : names.length === 1 && names[0] === entry;
  });
}

function certificate(base64: string): X509Certificate | null {
  try {
    return new X509Certificate(Buffer.from(base64, "base64"));
  } catch {
    return null;
  }
}

function within(cert: X509Certificate, now: Date) {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

/**
 * Walks x5c from the leaf to the first certificate that is, or was issued by,
 * a root. Later certificates are not needed: during a root change the x5c
 * carries the new root cross-signed by the old one, and either root anchors it.
 * Returns the leaf and the CA that issued it.
 */
function pathToRoot(x5c: readonly string[], roots: readonly X509Certificate[], now: Date) {
  const certs = x5c.map(certificate);
  if (certs.some((c) => c === null)) throw new MdsBlobError("its signing certificate chain (x5c) is unreadable");
  const chain = certs as X509Certificate[];
  const live = roots.filter((root) => within(root, now));
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    if (!within(cert, now)) throw new MdsBlobError(`its signing certificate "${oneLine(cert.subject)}" has expired or is not yet valid`);
    const root = live.find((r) => cert.fingerprint256 === r.fingerprint256 || issuedBy(cert, r));
    if (root) return { leaf: chain[0]!, leafIssuer: i === 0 ? root : chain[1]! };
    const next = chain[i + 1];
    if (!next) break;
    if (!next.ca || !issuedBy(cert, next)) throw new MdsBlobError("its signing certificate chain (x5c) is broken");
  }
  throw new MdsBlobError("its signing certificate does not chain to the FIDO Alliance root");
}

/**
 * Verifies a BLOB's signer: x5c chains to a root, the leaf is the FIDO metadata
 * signer issued by an allowed CA, and its signature over header.payload verifies.
 * Throws MdsBlobError with the reason.
 */
export function verifyBlobSigner(header: { alg: string; x5c: readonly string[] }, signed: string, signature: Buffer, trust: MdsBlobTrust, now: Date): void {
  const { leaf, leafIssuer } = pathToRoot(header.x5c, trust.roots, now);
  const names = commonNames(leaf.subject);
  if (leaf.ca || names.length !== 1 || names[0] !== FIDO_MDS_SIGNER_CN) {
    throw new MdsBlobError(`it is signed by "${oneLine(leaf.subject)}", which is not the FIDO metadata signer (CN=${FIDO_MDS_SIGNER_CN})`);
  }
  if (!issuerAllowed(leafIssuer, trust.signerIssuers)) {
    const issuer = commonNames(leafIssuer.subject)[0] ?? oneLine(leafIssuer.subject);
    throw new MdsBlobError(
      `its signer was issued by "${issuer}" (SHA-256 ${leafIssuer.fingerprint256}), which is not an allowed FIDO metadata issuing CA: add it to FIDO_MDS_SIGNER_ISSUERS if the FIDO Alliance moved to it`,
    );
  }
  const key = leaf.publicKey;
  const data = Buffer.from(signed);
  const ok =
    header.alg === "RS256"
      ? verifySignature("sha256", data, key, signature)
      : header.alg === "ES256"
        ? verifySignature("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature)
        : header.alg === "PS256"
          ? verifySignature("sha256", data, { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 }, signature)
          : null;
  if (ok === null) throw new MdsBlobError(`its signature algorithm ${header.alg} is not supported`);
  if (!ok) throw new MdsBlobError("its signature does not verify");
}
