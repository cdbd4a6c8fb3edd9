import "server-only";
import { X509Certificate, verify as verifySignature } from "node:crypto";
import { z } from "zod";
import { issuedBy } from "./chain";

// The FIDO Metadata Service 3 BLOB: a JWT whose header carries the signing
// certificate chain (x5c). Nothing in it is trusted before that chain leads
// to the FIDO root and the signature over header.payload verifies.

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
  /** Certificates a status report names as compromised (base64 DER), for ATTESTATION_KEY_COMPROMISE of one batch. */
  compromisedCertificates: string[];
  /** "external" / "internal" / …: how the model attaches (metadataStatement.attachmentHint). */
  attachmentHint: string[];
}

export interface MdsData {
  serial: number;
  nextUpdate: string;
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

export class MdsBlobError extends Error {}

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

function within(cert: X509Certificate, now: Date) {
  return new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();
}

/** Verifies the BLOB's x5c chain to one of `roots` and its signature. Throws MdsBlobError with the reason. */
function verifyBlob(header: z.infer<typeof headerSchema>, signed: string, signature: Buffer, roots: readonly X509Certificate[], now: Date) {
  const chain = header.x5c.map(certificate);
  if (chain.some((c) => c === null)) throw new MdsBlobError("its signing certificate chain (x5c) is unreadable");
  const certs = chain as X509Certificate[];
  for (const cert of certs) if (!within(cert, now)) throw new MdsBlobError(`its signing certificate "${cert.subject.replace(/\n/g, ", ")}" has expired`);
  for (let i = 1; i < certs.length; i++) {
    if (!certs[i]!.ca || !issuedBy(certs[i - 1]!, certs[i]!)) {
      throw new MdsBlobError("its signing certificate chain (x5c) is broken");
    }
  }
  const top = certs[certs.length - 1]!;
  const anchored = roots.some((root) => within(root, now) && (top.fingerprint256 === root.fingerprint256 || issuedBy(top, root)));
  if (!anchored) throw new MdsBlobError("its signing certificate does not chain to the FIDO Alliance root");
  const key = certs[0]!.publicKey;
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

/** Parses and verifies an MDS3 BLOB against the FIDO root(s). Throws MdsBlobError with the reason. */
export function parseMdsBlob(blob: string, roots: readonly X509Certificate[], now = new Date()): MdsData {
  const parts = blob.trim().split(".");
  if (parts.length !== 3) throw new MdsBlobError("it is not a JWT (header.payload.signature)");
  const [rawHeader, rawPayload, rawSignature] = parts as [string, string, string];
  const header = headerSchema.safeParse(json(rawHeader, "header"));
  if (!header.success) throw new MdsBlobError("its header has no signing certificate chain (x5c)");
  verifyBlob(header.data, `${rawHeader}.${rawPayload}`, Buffer.from(rawSignature, "base64url"), roots, now);
  const payload = payloadSchema.safeParse(json(rawPayload, "payload"));
  if (!payload.success) throw new MdsBlobError("its payload is not an MDS3 metadata BLOB (no, nextUpdate, entries)");

  const data: MdsData = { serial: payload.data.no, nextUpdate: payload.data.nextUpdate, byAaguid: new Map(), byKeyIdentifier: new Map() };
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
      compromisedCertificates: reports.filter((r) => r.status === "ATTESTATION_KEY_COMPROMISE" && r.certificate).map((r) => r.certificate!),
      attachmentHint: entry.metadataStatement?.attachmentHint ?? [],
    };
    if (mdsEntry.aaguid) data.byAaguid.set(mdsEntry.aaguid, mdsEntry);
    for (const id of entry.attestationCertificateKeyIdentifiers ?? []) data.byKeyIdentifier.set(id.toLowerCase(), mdsEntry);
  }
  return data;
}
