import "server-only";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { TrustAnchor } from "./chain";
import { MdsBlobError, parseMdsBlob, type MdsData } from "./mds";
import { signerIssuers, type MdsBlobTrust } from "./mds-signer";
import { FIDO_MDS_ROOTS, VENDOR_ROOTS } from "./vendor-roots";

// Building the trust store from configuration: the bundled vendor roots plus
// what the operator configures (FIDO_MDS_FILE, ATTESTATION_ROOTS_FILE); a bad
// file stops startup, naming the variable.

export interface TrustStore {
  /** Vendor roots and the operator's own roots: they vouch for any model they sign. */
  anchors: TrustAnchor[];
  /** The verified MDS BLOB: its roots vouch only for their own model. */
  mds: MdsData | null;
}

export interface TrustConfig {
  FIDO_MDS_FILE?: string;
  /** Extra issuing CAs of the BLOB's signer (comma-separated CNs or SHA-256 fingerprints). */
  FIDO_MDS_SIGNER_ISSUERS?: string;
  ATTESTATION_ROOTS_FILE?: string;
  /** Tests only: a PEM root that may sign a test MDS BLOB. Refused in production. */
  FIDO_MDS_TEST_ROOT_FILE?: string;
  NODE_ENV?: string;
}

export class TrustConfigError extends Error {}

export function vendorAnchors(): TrustAnchor[] {
  return VENDOR_ROOTS.map((root) => ({ certificate: new X509Certificate(root.pem), label: root.vendor, source: "vendor" as const }));
}

/** Every certificate in a PEM text; throws when there is none or one is unreadable. */
export function certificatesFromPem(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new Error("it contains no PEM certificate");
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw new Error(`certificate ${i + 1} is unreadable`);
    }
  });
}

function readConfigured(variable: string, file: string): string {
  try {
    return fs.readFileSync(path.resolve(/*turbopackIgnore: true*/ process.cwd(), file), "utf8");
  } catch (error) {
    throw new TrustConfigError(`${variable}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}

/** The roots and signer issuers a BLOB is checked against: the server and `npm run mds:update` use the same. */
export function mdsBlobTrust(config: TrustConfig): MdsBlobTrust {
  const roots = FIDO_MDS_ROOTS.map((root) => new X509Certificate(root.pem));
  if (config.FIDO_MDS_TEST_ROOT_FILE) {
    if (config.NODE_ENV === "production") {
      throw new TrustConfigError("FIDO_MDS_TEST_ROOT_FILE: a test root for the MDS BLOB is refused when NODE_ENV=production");
    }
    try {
      roots.push(...certificatesFromPem(readConfigured("FIDO_MDS_TEST_ROOT_FILE", config.FIDO_MDS_TEST_ROOT_FILE)));
    } catch (error) {
      if (error instanceof TrustConfigError) throw error;
      throw new TrustConfigError(`FIDO_MDS_TEST_ROOT_FILE: ${(error as Error).message}`);
    }
  }
  return { roots, signerIssuers: signerIssuers(config.FIDO_MDS_SIGNER_ISSUERS) };
}

/** The verified BLOB in FIDO_MDS_FILE, or null when unset. Throws TrustConfigError naming the file and the reason. */
export function readMdsFile(config: TrustConfig, trust: MdsBlobTrust, now = new Date()): MdsData | null {
  if (!config.FIDO_MDS_FILE) return null;
  const blob = readConfigured("FIDO_MDS_FILE", config.FIDO_MDS_FILE);
  try {
    return parseMdsBlob(blob, trust, now);
  } catch (error) {
    if (error instanceof MdsBlobError) throw new TrustConfigError(`FIDO_MDS_FILE: ${config.FIDO_MDS_FILE} is refused: ${error.message}`);
    throw error;
  }
}

/** Builds the trust store from configuration. Throws TrustConfigError naming the variable and the reason. */
export function loadTrustStore(config: TrustConfig, now = new Date()): TrustStore {
  const anchors = vendorAnchors();
  if (config.ATTESTATION_ROOTS_FILE) {
    const text = readConfigured("ATTESTATION_ROOTS_FILE", config.ATTESTATION_ROOTS_FILE);
    let certificates: X509Certificate[];
    try {
      certificates = certificatesFromPem(text);
    } catch (error) {
      throw new TrustConfigError(`ATTESTATION_ROOTS_FILE: ${config.ATTESTATION_ROOTS_FILE}: ${(error as Error).message}`);
    }
    for (const certificate of certificates) anchors.push({ certificate, label: "Operator's trusted roots", source: "operator" });
  }
  return { anchors, mds: readMdsFile(config, mdsBlobTrust(config), now) };
}
