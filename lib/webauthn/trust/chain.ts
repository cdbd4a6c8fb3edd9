import "server-only";
import { X509Certificate } from "node:crypto";
import { certificateAaguid, certificateExtensions, keyUsageOf } from "./der";

/** Where a trusted root comes from: shipped with Gatehouse, the operator's FIDO MDS BLOB, or the operator's own PEM file. */
export type TrustSource = "vendor" | "mds" | "operator";

export interface TrustAnchor {
  certificate: X509Certificate;
  /** Who vouches: the vendor, "FIDO MDS", or the operator's file. */
  label: string;
  source: TrustSource;
}

export type ChainVerdict = { proven: true; anchor: TrustAnchor } | { proven: false; reason: string };

const MAX_CHAIN = 5;

function within(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(certificate.validTo).getTime();
}

/**
 * Names and signature only: OpenSSL's checkIssued also wants keyCertSign on
 * the issuer, which an operator-pinned batch certificate (a trust anchor that
 * is not a CA) lacks. CA flags and key usage are checked by the caller.
 */
export function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.issuer === issuer.subject && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Whether an attestation certificate chain (x5c, leaf first) leads to one of
 * `anchors`: every link's name and signature, every certificate (anchor too)
 * valid at `now`, the leaf not a CA and allowed to sign, intermediates CAs
 * allowed to sign certificates, and the leaf's AAGUID extension, when present,
 * equal to the AAGUID the authenticator data claims.
 */
export function verifyAttestationChain(x5c: readonly Uint8Array[], anchors: readonly TrustAnchor[], aaguid: string, now = new Date()): ChainVerdict {
  if (x5c.length === 0) return { proven: false, reason: "no attestation certificate" };
  if (x5c.length > MAX_CHAIN) return { proven: false, reason: "attestation chain too long" };
  let chain: { certificate: X509Certificate; extensions: ReturnType<typeof certificateExtensions> }[];
  try {
    chain = x5c.map((der) => ({ certificate: new X509Certificate(Buffer.from(der)), extensions: certificateExtensions(der) }));
  } catch {
    return { proven: false, reason: "unreadable attestation certificate" };
  }
  const [leaf] = chain;
  if (!leaf) return { proven: false, reason: "no attestation certificate" };
  if (leaf.certificate.ca) return { proven: false, reason: "attestation certificate is a CA certificate" };
  const leafUsage = keyUsageOf(leaf.extensions);
  if (leafUsage && !leafUsage.digitalSignature) return { proven: false, reason: "attestation certificate may not sign" };
  let certified: string | null;
  try {
    certified = certificateAaguid(leaf.extensions);
  } catch {
    return { proven: false, reason: "unreadable AAGUID in attestation certificate" };
  }
  // An all-zero AAGUID (every U2F key) claims no model, so it cannot contradict the certificate.
  if (certified !== null && !/^[0-]+$/.test(aaguid) && certified !== aaguid.toLowerCase()) {
    return { proven: false, reason: "the key's AAGUID differs from its attestation certificate's" };
  }
  for (let i = 0; i < chain.length; i++) {
    const { certificate, extensions } = chain[i]!;
    if (!within(certificate, now)) return { proven: false, reason: "attestation certificate expired or not yet valid" };
    if (i > 0) {
      const usage = keyUsageOf(extensions);
      if (!certificate.ca || (usage && !usage.keyCertSign)) return { proven: false, reason: "intermediate certificate is not a CA" };
      if (!issuedBy(chain[i - 1]!.certificate, certificate)) return { proven: false, reason: "broken attestation chain" };
    }
    const anchor = anchors.find((candidate) => issuedBy(certificate, candidate.certificate));
    if (anchor) {
      if (!within(anchor.certificate, now)) return { proven: false, reason: "trusted root expired" };
      return { proven: true, anchor };
    }
  }
  const selfSignedLeaf = chain.length === 1 && issuedBy(leaf.certificate, leaf.certificate);
  return { proven: false, reason: selfSignedLeaf ? "self-signed attestation certificate" : "attestation certificate from an untrusted issuer" };
}
