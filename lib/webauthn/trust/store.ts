import "server-only";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../../env";
import { verifyAttestationChain, type TrustAnchor, type TrustSource } from "./chain";
import { certificateExtensions, subjectKeyIdentifier } from "./der";
import { COMPROMISED_STATUSES, MdsBlobError, parseMdsBlob, type MdsData, type MdsEntry } from "./mds";
import { FIDO_MDS_ROOT, VENDOR_ROOTS } from "./vendor-roots";

// The trust store: which attestation roots prove a key's model. Built once
// per process from the bundled vendor roots plus what the operator configures
// (FIDO_MDS_FILE, ATTESTATION_ROOTS_FILE); a bad file stops startup.

export interface TrustStore {
  /** Vendor roots and the operator's own roots: they vouch for any model they sign. */
  anchors: TrustAnchor[];
  /** The verified MDS BLOB: its roots vouch only for their own model. */
  mds: MdsData | null;
}

export interface TrustConfig {
  FIDO_MDS_FILE?: string;
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
  const mdsRoots = [new X509Certificate(FIDO_MDS_ROOT.pem)];
  if (config.FIDO_MDS_TEST_ROOT_FILE) {
    if (config.NODE_ENV === "production") {
      throw new TrustConfigError("FIDO_MDS_TEST_ROOT_FILE: a test root for the MDS BLOB is refused when NODE_ENV=production");
    }
    try {
      mdsRoots.push(...certificatesFromPem(readConfigured("FIDO_MDS_TEST_ROOT_FILE", config.FIDO_MDS_TEST_ROOT_FILE)));
    } catch (error) {
      if (error instanceof TrustConfigError) throw error;
      throw new TrustConfigError(`FIDO_MDS_TEST_ROOT_FILE: ${(error as Error).message}`);
    }
  }
  let mds: MdsData | null = null;
  if (config.FIDO_MDS_FILE) {
    const blob = readConfigured("FIDO_MDS_FILE", config.FIDO_MDS_FILE);
    try {
      mds = parseMdsBlob(blob, mdsRoots, now);
    } catch (error) {
      if (error instanceof MdsBlobError) throw new TrustConfigError(`FIDO_MDS_FILE: ${config.FIDO_MDS_FILE} is refused: ${error.message}`);
      throw error;
    }
  }
  return { anchors, mds };
}

let cached: TrustStore | undefined;

/** The process's trust store, built on first use from the environment (startup builds it first, so a bad file stops it). */
export function attestationTrust(): TrustStore {
  cached ??= loadTrustStore(env());
  return cached;
}

export interface ModelProof {
  /** The attestation chain validates to a trusted root (and the certificate does not contradict the AAGUID). */
  proven: boolean;
  source: TrustSource | null;
  /** Who vouched (vendor name, "FIDO MDS", the operator's file) when proven; why not, otherwise. */
  detail: string;
  /** MDS status that makes the model unacceptable (REVOKED, ATTESTATION_KEY_COMPROMISE, …), or null. */
  compromisedStatus: string | null;
  /** The model's name in the MDS BLOB, when it has one. */
  mdsName: string | null;
  /** MDS says the model is built into a device (attachmentHint "internal" only). */
  platformModel: boolean;
}

function mdsEntryFor(store: TrustStore, aaguid: string, leaf: Uint8Array | undefined): MdsEntry | null {
  if (!store.mds) return null;
  const byAaguid = store.mds.byAaguid.get(aaguid);
  if (byAaguid) return byAaguid;
  if (!leaf) return null;
  try {
    const ski = subjectKeyIdentifier(certificateExtensions(leaf));
    return ski ? (store.mds.byKeyIdentifier.get(ski) ?? null) : null;
  } catch {
    return null;
  }
}

function compromise(entry: MdsEntry | null, x5c: readonly Uint8Array[]): string | null {
  if (!entry) return null;
  const chain = new Set(x5c.map((der) => Buffer.from(der).toString("base64")));
  if (entry.compromisedCertificates.some((cert) => chain.has(cert))) return "ATTESTATION_KEY_COMPROMISE";
  if (!entry.status || !COMPROMISED_STATUSES.has(entry.status)) return null;
  // A compromised batch key named by its certificate condemns that batch, not the whole model.
  if (entry.status === "ATTESTATION_KEY_COMPROMISE" && entry.compromisedCertificates.length > 0) return null;
  return entry.status;
}

/**
 * Whether an attestation proves the model it claims: "none" and self
 * attestation never do; a certificate chain must validate to the model's
 * MDS roots, a bundled vendor root or an operator root.
 */
export function proveModel(store: TrustStore, attestation: { fmt: string; aaguid: string; x5c: readonly Uint8Array[] }, now = new Date()): ModelProof {
  const aaguid = attestation.aaguid.toLowerCase();
  const entry = mdsEntryFor(store, aaguid, attestation.x5c[0]);
  const base = {
    compromisedStatus: compromise(entry, attestation.x5c),
    mdsName: entry?.name ?? null,
    platformModel: entry ? entry.attachmentHint.includes("internal") && !entry.attachmentHint.includes("external") : false,
  };
  if (attestation.fmt === "none") return { ...base, proven: false, source: null, detail: "the key sent no attestation" };
  if (attestation.x5c.length === 0) return { ...base, proven: false, source: null, detail: "the key attested itself (self attestation)" };
  const mdsAnchors: TrustAnchor[] = (entry?.roots ?? []).map((certificate) => ({ certificate, label: "FIDO MDS", source: "mds" }));
  const verdict = verifyAttestationChain(attestation.x5c, [...mdsAnchors, ...store.anchors], aaguid, now);
  if (!verdict.proven) return { ...base, proven: false, source: null, detail: verdict.reason };
  return { ...base, proven: true, source: verdict.anchor.source, detail: verdict.anchor.label };
}

/** The MDS status that condemns a whole model now (not one batch certificate), or null. */
export function modelCompromisedNow(store: TrustStore, aaguid: string): string | null {
  const entry = store.mds?.byAaguid.get(aaguid.toLowerCase()) ?? null;
  return compromise(entry, []);
}

/** The model's name in the MDS BLOB, if it has one. */
export function mdsModelName(store: TrustStore, aaguid: string): string | null {
  return store.mds?.byAaguid.get(aaguid.toLowerCase())?.name ?? null;
}

/** One startup log line: what the trust store holds. */
export function describeTrust(store: TrustStore): string {
  const operator = store.anchors.filter((a) => a.source === "operator").length;
  const vendor = store.anchors.length - operator;
  const parts = [`${vendor} vendor roots`];
  if (operator) parts.push(`${operator} from ATTESTATION_ROOTS_FILE`);
  if (store.mds) {
    const stale = new Date(`${store.mds.nextUpdate}T00:00:00Z`).getTime() < Date.now();
    parts.push(
      `FIDO MDS BLOB no. ${store.mds.serial} with ${store.mds.byAaguid.size} models${stale ? ` (past its nextUpdate ${store.mds.nextUpdate}: download a fresh one)` : ""}`,
    );
  } else parts.push("no FIDO_MDS_FILE");
  return `attestation trust: ${parts.join(", ")}`;
}

/** Model names the MDS BLOB knows, for the admin's model picker. */
export function mdsModels(store: TrustStore): { aaguid: string; name: string }[] {
  return store.mds ? [...store.mds.byAaguid.values()].map((entry) => ({ aaguid: entry.aaguid!, name: entry.name })) : [];
}
