import "server-only";
import { env } from "../../env";
import { verifyAttestationChain, type TrustAnchor, type TrustSource } from "./chain";
import { certificateExtensions, subjectKeyIdentifier } from "./der";
import type { TrustStore } from "./load";
import type { MdsEntry } from "./mds";
import { trustReloader } from "./reload";

export { certificatesFromPem, loadTrustStore, TrustConfigError, vendorAnchors, type TrustConfig, type TrustStore } from "./load";

// The trust store: which attestation roots prove a key's model (load.ts builds
// it from configuration), and what it says about one attestation.

let current: (() => TrustStore) | undefined;

/**
 * The process's trust store, built on first use from the environment (startup
 * builds it first, so a bad file stops it); a changed FIDO_MDS_FILE is picked
 * up within seconds (reload.ts).
 */
export function attestationTrust(): TrustStore {
  current ??= trustReloader(env());
  return current();
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
  return entry.compromisedStatus;
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

export interface MdsStatus {
  serial: number;
  /** The date the FIDO Alliance promises the next BLOB by (YYYY-MM-DD). */
  nextUpdate: string;
  entries: number;
  /** Past nextUpdate: a fresh BLOB is out, and this one may miss revocations. */
  stale: boolean;
}

/** What the MDS BLOB in use is, or null without one. */
export function mdsStatusOf(store: TrustStore, now = new Date()): MdsStatus | null {
  if (!store.mds) return null;
  const { serial, nextUpdate, entries } = store.mds;
  const due = new Date(`${nextUpdate}T00:00:00Z`).getTime();
  return { serial, nextUpdate, entries, stale: !Number.isNaN(due) && due < now.getTime() };
}

/** The process's MDS BLOB, for Setup. */
export function mdsStatus(): MdsStatus | null {
  return mdsStatusOf(attestationTrust());
}

/** One startup log line: what the trust store holds. */
export function describeTrust(store: TrustStore): string {
  const operator = store.anchors.filter((a) => a.source === "operator").length;
  const vendor = store.anchors.length - operator;
  const parts = [`${vendor} vendor roots`];
  if (operator) parts.push(`${operator} from ATTESTATION_ROOTS_FILE`);
  const mds = mdsStatusOf(store);
  if (mds) {
    parts.push(
      `FIDO MDS BLOB no. ${mds.serial} with ${mds.entries} entries${mds.stale ? ` (past its nextUpdate ${mds.nextUpdate}: run npm run mds:update)` : ""}`,
    );
  } else parts.push("no FIDO_MDS_FILE");
  return `attestation trust: ${parts.join(", ")}`;
}

/** Model names the MDS BLOB knows, for the admin's model picker. */
export function mdsModels(store: TrustStore): { aaguid: string; name: string }[] {
  return store.mds ? [...store.mds.byAaguid.values()].map((entry) => ({ aaguid: entry.aaguid!, name: entry.name })) : [];
}
