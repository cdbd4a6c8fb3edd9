import { createHash, X509Certificate } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrustStore, mdsBlobTrust } from "@/lib/webauthn/trust/load";
import { parseMdsBlob } from "@/lib/webauthn/trust/mds";
import { DEFAULT_MDS_SIGNER_ISSUERS, FIDO_MDS_SIGNER_CN } from "@/lib/webauthn/trust/mds-signer";
import { trustReloader } from "@/lib/webauthn/trust/reload";
import { mdsStatusOf, modelCompromisedNow, proveModel } from "@/lib/webauthn/trust/store";
import { FIDO_MDS_ROOT_R46, FIDO_MDS_ROOTS } from "@/lib/webauthn/trust/vendor-roots";
import { blobFile, mdsBlob, TEST_MDS_CONFIG, TEST_MDS_ISSUER, TEST_MDS_ROOT } from "../support/mds-blob";

// The FIDO MDS3 BLOB (DESIGN §9): who may sign it, which status reports stick,
// and a running server picking up a new file.

const AAGUID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const trust = () => mdsBlobTrust(TEST_MDS_CONFIG);
const model = (reports: { status: string; effectiveDate?: string; certificate?: string }[]) => ({
  aaguid: AAGUID,
  metadataStatement: { description: "Test Model" },
  statusReports: reports,
});

describe("the BLOB's signer is pinned, not only its root", () => {
  it("ships today's signer and issuer, and both GlobalSign roots pinned by fingerprint", () => {
    expect(FIDO_MDS_SIGNER_CN).toBe("mds.fidoalliance.org");
    expect(DEFAULT_MDS_SIGNER_ISSUERS).toEqual(["GlobalSign GCC R46 EV TLS CA 2025"]);
    for (const root of FIDO_MDS_ROOTS) {
      const certificate = new X509Certificate(root.pem);
      expect(createHash("sha256").update(certificate.raw).digest("hex")).toBe(root.sha256);
      expect(certificate.subject.replace(/\n/g, ", ")).toBe(root.subject);
      expect(certificate.verify(certificate.publicKey)).toBe(true);
    }
    expect(FIDO_MDS_ROOT_R46.subject).toBe("C=BE, O=GlobalSign nv-sa, CN=GlobalSign Root R46");
  });

  it("accepts the FIDO metadata signer issued by an issuing CA named in FIDO_MDS_SIGNER_ISSUERS", () => {
    expect(parseMdsBlob(mdsBlob([model([])]), trust())).toMatchObject({ serial: 42, entries: 1, nextUpdate: "2099-01-01" });
  });

  it("accepts the issuing CA named by its SHA-256 fingerprint instead", () => {
    const issuer = new X509Certificate(readFileSync("tests/fixtures/webauthn/chains/mds-intermediate.pem"));
    const byFingerprint = mdsBlobTrust({ ...TEST_MDS_CONFIG, FIDO_MDS_SIGNER_ISSUERS: `sha256:${issuer.fingerprint256}` });
    expect(parseMdsBlob(mdsBlob([]), byFingerprint).serial).toBe(42);
  });

  it.each([
    ["a certificate the root issued to someone else", "other-leaf-under-root", /signed by ".*CN=Test MDS BLOB Signer", which is not the FIDO metadata signer/],
    [
      "a web server's certificate from the allowed issuing CA",
      "other-leaf-under-issuer",
      /"C=US, O=Gatehouse Test, CN=www.example.test", which is not the FIDO metadata signer/,
    ],
  ] as const)("refuses a BLOB signed by %s", (_what, signer, reason) => {
    expect(() => parseMdsBlob(mdsBlob([], { signer }), trust())).toThrow(reason);
  });

  it("refuses the FIDO metadata signer's name from an issuing CA nobody allowed", () => {
    const shippedIssuersOnly = mdsBlobTrust({ ...TEST_MDS_CONFIG, FIDO_MDS_SIGNER_ISSUERS: undefined });
    expect(() => parseMdsBlob(mdsBlob([]), shippedIssuersOnly)).toThrow(
      new RegExp(`issued by "${TEST_MDS_ISSUER}" .*not an allowed FIDO metadata issuing CA: add it to FIDO_MDS_SIGNER_ISSUERS`),
    );
  });

  it("stops startup on a BLOB from a non-FIDO signer, naming FIDO_MDS_FILE", () => {
    const file = blobFile(mdsBlob([], { signer: "other-leaf-under-issuer" }));
    expect(() => loadTrustStore({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: file })).toThrow(/^FIDO_MDS_FILE: .* is refused: .*not the FIDO metadata signer/);
  });

  it("refuses the test chain when the test root is not configured", () => {
    expect(() => parseMdsBlob(mdsBlob([]), mdsBlobTrust({ FIDO_MDS_SIGNER_ISSUERS: TEST_MDS_ISSUER }))).toThrow(/does not chain to the FIDO Alliance root/);
  });
});

describe("status reports stick", () => {
  const later = [
    ["UPDATE_AVAILABLE", [{ status: "UPDATE_AVAILABLE", effectiveDate: "2026-03-01" }]],
    ["FIDO_CERTIFIED_L1", [{ status: "FIDO_CERTIFIED_L1", effectiveDate: "2026-03-01" }]],
    [
      "UPDATE_AVAILABLE then FIDO_CERTIFIED",
      [
        { status: "UPDATE_AVAILABLE", effectiveDate: "2026-02-01" },
        { status: "FIDO_CERTIFIED", effectiveDate: "2026-03-01" },
      ],
    ],
  ] as const;
  const cases = ["REVOKED", "USER_VERIFICATION_BYPASS", "ATTESTATION_KEY_COMPROMISE", "USER_KEY_REMOTE_COMPROMISE", "USER_KEY_PHYSICAL_COMPROMISE"].flatMap(
    (status) => later.map(([what, reports]) => [status, what, reports] as const),
  );

  it.each(cases)("%s is not cleared by a later %s", (status, _what, reports) => {
    const blob = mdsBlob([model([{ status: "FIDO_CERTIFIED", effectiveDate: "2024-01-01" }, { status, effectiveDate: "2025-06-01" }, ...reports])]);
    const mds = parseMdsBlob(blob, trust());
    const entry = mds.byAaguid.get(AAGUID)!;
    expect(entry.status).toBe(reports.at(-1)!.status); // the latest report is still what the BLOB says now
    expect(entry.compromisedStatus).toBe(status);
    expect(modelCompromisedNow({ anchors: [], mds }, AAGUID)).toBe(status);
  });

  it("reports listed out of order are read by effectiveDate", () => {
    const blob = mdsBlob([
      model([
        { status: "FIDO_CERTIFIED_L2", effectiveDate: "2026-05-01" },
        { status: "REVOKED", effectiveDate: "2025-01-01" },
      ]),
    ]);
    expect(modelCompromisedNow({ anchors: [], mds: parseMdsBlob(blob, trust()) }, AAGUID)).toBe("REVOKED");
  });

  it("a compromised batch key named by its certificate condemns that batch only, even after later reports", () => {
    const batch = Buffer.from(new X509Certificate(readFileSync("tests/fixtures/webauthn/chains/leaf.pem")).raw);
    const blob = mdsBlob([
      model([
        { status: "ATTESTATION_KEY_COMPROMISE", effectiveDate: "2025-01-01", certificate: batch.toString("base64") },
        { status: "FIDO_CERTIFIED_L1", effectiveDate: "2026-01-01" },
      ]),
    ]);
    const store = { anchors: [], mds: parseMdsBlob(blob, trust()) };
    expect(modelCompromisedNow(store, AAGUID)).toBeNull();
    expect(proveModel(store, { fmt: "packed", aaguid: AAGUID, x5c: [new Uint8Array(batch)] }).compromisedStatus).toBe("ATTESTATION_KEY_COMPROMISE");
  });

  it("a model that was only ever certified or offered an update is not condemned", () => {
    const blob = mdsBlob([
      model([
        { status: "FIDO_CERTIFIED", effectiveDate: "2024-01-01" },
        { status: "UPDATE_AVAILABLE", effectiveDate: "2025-01-01" },
      ]),
    ]);
    expect(modelCompromisedNow({ anchors: [], mds: parseMdsBlob(blob, trust()) }, AAGUID)).toBeNull();
  });
});

describe("a running server picks up a changed FIDO_MDS_FILE", () => {
  const replace = (file: string, blob: string) => {
    // As mds:update does: a new file renamed over the old one.
    const temp = path.join(path.dirname(file), "next.tmp");
    writeFileSync(temp, blob);
    renameSync(temp, file);
  };

  it("sees the new serial, keeps the last good store when the new file is bad or older, and logs one line each time", () => {
    const file = blobFile(mdsBlob([model([])], { serial: 7 }));
    const lines: string[] = [];
    const current = trustReloader({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: file }, { recheckMs: 0, log: (line) => lines.push(line) });
    expect(current().mds?.serial).toBe(7);
    expect(current().mds?.serial).toBe(7);
    expect(lines).toEqual([]); // an unchanged file is not read again

    replace(file, mdsBlob([model([]), model([])], { serial: 8 }));
    expect(current().mds).toMatchObject({ serial: 8, entries: 2 });
    expect(lines).toEqual(["FIDO_MDS_FILE reloaded: BLOB no. 8 with 2 entries, next update 2099-01-01 (was BLOB no. 7)"]);

    replace(file, mdsBlob([], { serial: 9, tamper: true }));
    expect(current().mds?.serial).toBe(8);
    expect(current().mds?.serial).toBe(8);
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^FIDO_MDS_FILE: .* is refused: its signature does not verify; still using BLOB no. 8$/)]);

    replace(file, mdsBlob([], { serial: 5 }));
    expect(current().mds?.serial).toBe(8);
    expect(lines[2]).toMatch(/BLOB no. 5 is older than the one in use; still using BLOB no. 8/);
  });

  it("checks the file at most once per interval", () => {
    const file = blobFile(mdsBlob([], { serial: 1 }));
    const current = trustReloader({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: file }, { recheckMs: 60_000, log: () => undefined });
    replace(file, mdsBlob([], { serial: 2 }));
    expect(current(Date.now()).mds?.serial).toBe(1);
    expect(current(Date.now() + 61_000).mds?.serial).toBe(2);
  });

  it("still stops startup on a bad file", () => {
    const file = blobFile("not a blob");
    expect(() => trustReloader({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: file })).toThrow(/FIDO_MDS_FILE: .*not a JWT/);
  });
});

describe("mdsStatusOf (Setup)", () => {
  it("gives the serial, entries and next update, and says when the BLOB is past it", () => {
    const store = loadTrustStore({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: blobFile(mdsBlob([model([])], { serial: 123, nextUpdate: "2027-01-01" })) });
    expect(mdsStatusOf(store, new Date("2026-12-31T23:00:00Z"))).toEqual({ serial: 123, entries: 1, nextUpdate: "2027-01-01", stale: false });
    expect(mdsStatusOf(store, new Date("2027-01-02T00:00:00Z"))).toMatchObject({ stale: true });
    expect(mdsStatusOf(loadTrustStore({}))).toBeNull();
  });

  it("keeps the test root refused in production", () => {
    expect(() => mdsBlobTrust({ FIDO_MDS_TEST_ROOT_FILE: TEST_MDS_ROOT, NODE_ENV: "production" })).toThrow(/refused when NODE_ENV=production/);
  });
});
