import "server-only";

// Just enough DER to read the X.509 extensions node:crypto does not expose:
// keyUsage bits and FIDO's id-fido-gen-ce-aaguid. Everything else about a
// certificate (names, dates, signatures, basicConstraints) comes from
// node:crypto's X509Certificate.

interface Tlv {
  tag: number;
  /** Offset of the content (after tag and length). */
  start: number;
  /** Offset just past the content. */
  end: number;
}

function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new Error("truncated DER");
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || start + bytes > limit) throw new Error("bad DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  if (end > limit) throw new Error("truncated DER");
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const items: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const item = readTlv(der, at, parent.end);
    items.push(item);
    at = item.end;
  }
  return items;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

export interface Extension {
  critical: boolean;
  /** The extnValue OCTET STRING's content. */
  value: Uint8Array;
}

/** A certificate's extensions by OID. Throws on malformed DER. */
export function certificateExtensions(der: Uint8Array): Map<string, Extension> {
  const certificate = readTlv(der, 0);
  const tbs = children(der, certificate)[0];
  if (!tbs) throw new Error("no tbsCertificate");
  const extensions = new Map<string, Extension>();
  const wrapper = children(der, tbs).find((item) => item.tag === 0xa3);
  if (!wrapper) return extensions;
  const [list] = children(der, wrapper);
  if (!list) return extensions;
  for (const extension of children(der, list)) {
    const parts = children(der, extension);
    const oid = parts[0];
    const valueItem = parts[parts.length - 1];
    if (!oid || oid.tag !== 0x06 || !valueItem || valueItem.tag !== 0x04) throw new Error("bad extension");
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && der[parts[1]!.start] !== 0;
    extensions.set(decodeOid(der.subarray(oid.start, oid.end)), { critical, value: der.subarray(valueItem.start, valueItem.end) });
  }
  return extensions;
}

export const OID_KEY_USAGE = "2.5.29.15";
export const OID_FIDO_AAGUID = "1.3.6.1.4.1.45724.1.1.4";

/** keyUsage bits as named by RFC 5280, or null when the extension is absent. */
export function keyUsageOf(extensions: Map<string, Extension>): { digitalSignature: boolean; keyCertSign: boolean } | null {
  const extension = extensions.get(OID_KEY_USAGE);
  if (!extension) return null;
  const bits = readTlv(extension.value, 0);
  if (bits.tag !== 0x03 || bits.end - bits.start < 2) return { digitalSignature: false, keyCertSign: false };
  const first = extension.value[bits.start + 1]!;
  return { digitalSignature: (first & 0x80) !== 0, keyCertSign: (first & 0x04) !== 0 };
}

/** The AAGUID a FIDO attestation certificate names (id-fido-gen-ce-aaguid), canonical lower case, or null. */
export function certificateAaguid(extensions: Map<string, Extension>): string | null {
  const extension = extensions.get(OID_FIDO_AAGUID);
  if (!extension) return null;
  const inner = readTlv(extension.value, 0);
  if (inner.tag !== 0x04 || inner.end - inner.start !== 16) throw new Error("bad AAGUID extension");
  const hex = Buffer.from(extension.value.subarray(inner.start, inner.end)).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const OID_SUBJECT_KEY_IDENTIFIER = "2.5.29.14";

/** The SubjectKeyIdentifier, lower-case hex (how FIDO MDS names U2F attestation certificates), or null. */
export function subjectKeyIdentifier(extensions: Map<string, Extension>): string | null {
  const extension = extensions.get(OID_SUBJECT_KEY_IDENTIFIER);
  if (!extension) return null;
  const inner = readTlv(extension.value, 0);
  return inner.tag === 0x04 ? Buffer.from(extension.value.subarray(inner.start, inner.end)).toString("hex") : null;
}
