import "server-only";
import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { MdsBlobError, verifyBlobSigner, type MdsBlobTrust } from "./mds-signer";

export { MdsBlobError, type MdsBlobTrust } from "./mds-signer";

// The FIDO Metadata Service 3 BLOB: a JWT whose header carries the signing
// certificate chain (x5c). Nothing in it is trusted before that chain leads
// to the FIDO root, its leaf is the FIDO metadata signer (mds-signer.ts) and
// the signature over header.payload verifies.

/** MDS status reports that make a model unacceptable (FIDO MDS3 AuthenticatorStatus). */
export const COMPROMISED_STATUSES = new Set([
  "REVOKED",
  "ATTESTATION_KEY_COMPROMISE",
  "USER_VERIFICATION_BYPASS",
  "USER_KEY_REMOTE_COMPROMISE",
  "USER_KEY_PHYSICAL_COMPROMISE",
]);

export interface MdsEntry {
  aaguid: string | null;
  /** metadataStatement.description: the model's name. */
  name: string;
  roots: X509Certificate[];
  /** The most recent status report's status (by effectiveDate), e.g. FIDO_CERTIFIED_L1 or REVOKED. */
  status: string | null;
  /** A whole-model REVOKED, USER_VERIFICATION_BYPASS, ATTESTATION_KEY_COMPROMISE, USER_KEY_*_COMPROMISE ever reported, or null. */
  compromisedStatus: string | null;
  /** Certificates a status report names as compromised (base64 DER), for ATTESTATION_KEY_COMPROMISE of one batch. */
  compromisedCertificates: string[];
  /** "external" / "internal" / …: how the model attaches (metadataStatement.attachmentHint). */
  attachmentHint: string[];
}

export interface MdsData {
  serial: number;
  nextUpdate: string;
  /** Entries in the BLOB (FIDO2 models by AAGUID and U2F models by key identifier). */
  entries: number;
  byAaguid: Map<string, MdsEntry>;
  /** U2F models, by the hex SubjectKeyIdentifier of their attestation certificates. */
  byKeyIdentifier: Map<string, MdsEntry>;
}

const statusReport = z.object({ status: z.string(), effectiveDate: z.string().optional(), certificate: z.string().optional() });
const entrySchema = z.object({
  aaguid: z.string().optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string()).optional(),
  metadataStatement: z
    .object({
      description: z.string().optional(),
      attestationRootCertificates: z.array(z.string()).optional(),
      attachmentHint: z.array(z.string()).optional(),
    })
    .optional(),
  statusReports: z.array(statusReport).default([]),
});
const payloadSchema = z.object({ no: z.number().int(), nextUpdate: z.string(), entries: z.array(z.unknown()) });
const headerSchema = z.object({ alg: z.string(), x5c: z.array(z.string()).min(1) });

function json(part: string, what: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new MdsBlobError(`its ${what} is not base64url JSON`);
  }
}

function certificate(base64: string): X509Certificate | null {
  try {
    return new X509Certificate(Buffer.from(base64, "base64"));
  } catch {
    return null;
  }
}

/**
 * The status that condemns the whole model, or null. It sticks: a later
 * UPDATE_AVAILABLE or FIDO_CERTIFIED report (a firmware update, a new
 * certification) does not make keys already in users' hands safe again; an org
 * that still wants the model names it in its allow-list.
 */
function modelCompromise(reports: readonly z.infer<typeof statusReport>[]): string | null {
  let condemned: string | null = null;
  for (const report of reports) {
    if (!COMPROMISED_STATUSES.has(report.status)) continue;
    // A compromised batch key named by its certificate condemns that batch, not the whole model.
    if (report.status === "ATTESTATION_KEY_COMPROMISE" && report.certificate) continue;
    condemned = report.status;
  }
  return condemned;
}

/** Parses and verifies an MDS3 BLOB against the FIDO root(s) and signer. Throws MdsBlobError with the reason. */
export function parseMdsBlob(blob: string, trust: MdsBlobTrust, now = new Date()): MdsData {
  const parts = blob.trim().split(".");
  if (parts.length !== 3) throw new MdsBlobError("it is not a JWT (header.payload.signature)");
  const [rawHeader, rawPayload, rawSignature] = parts as [string, string, string];
  const header = headerSchema.safeParse(json(rawHeader, "header"));
  if (!header.success) throw new MdsBlobError("its header has no signing certificate chain (x5c)");
  verifyBlobSigner(header.data, `${rawHeader}.${rawPayload}`, Buffer.from(rawSignature, "base64url"), trust, now);
  const payload = payloadSchema.safeParse(json(rawPayload, "payload"));
  if (!payload.success) throw new MdsBlobError("its payload is not an MDS3 metadata BLOB (no, nextUpdate, entries)");

  const data: MdsData = {
    serial: payload.data.no,
    nextUpdate: payload.data.nextUpdate,
    entries: payload.data.entries.length,
    byAaguid: new Map(),
    byKeyIdentifier: new Map(),
  };
  for (const raw of payload.data.entries) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) continue; // a malformed entry is one model we cannot vouch for, not a reason to distrust the rest
    const entry = parsed.data;
    const reports = [...entry.statusReports].sort((a, b) => (a.effectiveDate ?? "").localeCompare(b.effectiveDate ?? ""));
    const mdsEntry: MdsEntry = {
      aaguid: entry.aaguid?.toLowerCase() ?? null,
      name: entry.metadataStatement?.description ?? entry.aaguid ?? "Unnamed model",
      roots: (entry.metadataStatement?.attestationRootCertificates ?? []).map(certificate).filter((c): c is X509Certificate => c !== null),
      status: reports.at(-1)?.status ?? null,
      compromisedStatus: modelCompromise(reports),
      compromisedCertificates: reports.filter((r) => r.status === "ATTESTATION_KEY_COMPROMISE" && r.certificate).map((r) => r.certificate!),
      attachmentHint: entry.metadataStatement?.attachmentHint ?? [],
    };
    if (mdsEntry.aaguid) data.byAaguid.set(mdsEntry.aaguid, mdsEntry);
    for (const id of entry.attestationCertificateKeyIdentifiers ?? []) data.byKeyIdentifier.set(id.toLowerCase(), mdsEntry);
  }
  return data;
}
