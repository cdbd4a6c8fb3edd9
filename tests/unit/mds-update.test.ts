import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mdsBlobTrust } from "@/lib/webauthn/trust/load";
import { MDS_UPDATE_EXIT_CODES, runMdsUpdate, updateMdsFile } from "@/lib/webauthn/trust/mds-update";
import { trustReloader } from "@/lib/webauthn/trust/reload";
import { blobFile, mdsBlob, TEST_MDS_CONFIG } from "../support/mds-blob";

// `npm run mds:update` against a local HTTP server serving test BLOBs: what an
// operator (or an attacker in the path) can make it install.

const trust = mdsBlobTrust(TEST_MDS_CONFIG);
const entry = { aaguid: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", metadataStatement: { description: "Test Model" }, statusReports: [] };
const OLD = mdsBlob([entry], { serial: 10 });
const served: Record<string, string> = {
  "/good": mdsBlob([entry, entry], { serial: 11, nextUpdate: "2099-02-01" }),
  "/tampered": mdsBlob([entry], { serial: 11, tamper: true }),
  "/non-fido-leaf": mdsBlob([entry], { serial: 11, signer: "other-leaf-under-issuer" }),
  "/not-a-jwt": "<html>maintenance</html>",
  "/older": mdsBlob([entry], { serial: 9 }),
};

let server: Server;
let base: string;
let closedPort: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = served[request.url ?? ""];
    response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/octet-stream" });
    response.end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was just free and is closed again: connection refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
  await new Promise((resolve) => probe.close(resolve));
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const installed = () => blobFile(OLD, "mds.jwt");

describe("updateMdsFile", () => {
  it("downloads, verifies and installs the BLOB, and a running server reloads it", async () => {
    const file = installed();
    const lines: string[] = [];
    const server = trustReloader({ ...TEST_MDS_CONFIG, FIDO_MDS_FILE: file }, { recheckMs: 0, log: (line) => lines.push(line) });
    expect(server().mds?.serial).toBe(10);

    const result = await updateMdsFile({ file, source: { url: `${base}/good` }, trust });
    expect(result).toEqual({ serial: 11, entries: 2, nextUpdate: "2099-02-01", previousSerial: 10 });
    expect(readFileSync(file, "utf8")).toBe(served["/good"]);
    expect(readdirSync(path.dirname(file))).toEqual(["mds.jwt"]); // no temporary file left behind
    expect(server().mds?.serial).toBe(11);
    expect(lines).toEqual([expect.stringContaining("reloaded: BLOB no. 11")]);
  });

  it.each([
    ["a tampered BLOB", `/tampered`, "refused", /^the BLOB is refused: its signature does not verify$/],
    [
      "a BLOB signed by a non-FIDO leaf under the root",
      `/non-fido-leaf`,
      "refused",
      /^the BLOB is refused: it is signed by .*www\.example\.test.*not the FIDO metadata signer/,
    ],
    ["something that is not a JWT", `/not-a-jwt`, "refused", /^the BLOB is refused: it is not a JWT/],
    ["an HTTP error", `/missing`, "download", /^cannot download http:\/\/127\.0\.0\.1:\d+\/missing: HTTP 404$/],
    ["an older BLOB (rollback)", `/older`, "rollback", /serial number 9 is lower than 10, the one installed in .*mds\.jwt/],
  ] as const)("leaves the old file byte-identical on %s and says why", async (_what, route, failure, reason) => {
    const file = installed();
    const error = await updateMdsFile({ file, source: { url: `${base}${route}` }, trust }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure, message: expect.stringMatching(reason) });
    expect(readFileSync(file, "utf8")).toBe(OLD);
    expect(readdirSync(path.dirname(file))).toEqual(["mds.jwt"]);
  });

  it("leaves the old file byte-identical when the URL is unreachable", async () => {
    const file = installed();
    const error = await updateMdsFile({ file, source: { url: closedPort }, trust, timeoutMs: 5_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "download", message: expect.stringMatching(/^cannot download .*: ECONNREFUSED$/) });
    expect(readFileSync(file, "utf8")).toBe(OLD);
  });

  it("refuses a BLOB whose signing chain has expired by the time it is installed", async () => {
    const file = installed();
    const error = await updateMdsFile({ file, source: { url: `${base}/good` }, trust, now: new Date("2060-01-01") }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "refused", message: expect.stringMatching(/expired/) });
    expect(readFileSync(file, "utf8")).toBe(OLD);
  });

  it("installs a hand-copied BLOB with --from-file, creating the file", async () => {
    const target = path.join(path.dirname(installed()), "new", "mds.jwt");
    const copy = blobFile(served["/good"]!);
    await expect(updateMdsFile({ file: target, source: { fromFile: copy }, trust })).resolves.toMatchObject({ serial: 11, previousSerial: null });
    expect(readFileSync(target, "utf8")).toBe(served["/good"]);
  });
});

describe("runMdsUpdate (the command line)", () => {
  const config = (file?: string) => ({ FIDO_MDS_FILE: file, FIDO_MDS_URL: `${base}/good` });

  it("prints what it installed", async () => {
    const result = await runMdsUpdate([], config(installed()), () => trust);
    expect(result.code).toBe(0);
    expect(result.out).toEqual([expect.stringMatching(/^Installed FIDO metadata BLOB no\. 11 \(was no\. 10\) in .*: 2 entries, next update 2099-02-01\.$/)]);
  });

  it("exits non-zero with one line naming the reason, a distinct code for each kind of failure", async () => {
    const file = installed();
    const tampered = blobFile(served["/tampered"]!);
    expect(await runMdsUpdate(["--from-file", tampered], config(file), () => trust)).toEqual({
      code: MDS_UPDATE_EXIT_CODES.refused,
      out: [],
      err: ["mds:update: the BLOB is refused: its signature does not verify"],
    });
    expect((await runMdsUpdate([], { ...config(file), FIDO_MDS_URL: closedPort }, () => trust)).code).toBe(MDS_UPDATE_EXIT_CODES.download);
    expect((await runMdsUpdate(["--from-file", blobFile(served["/older"]!)], config(file), () => trust)).code).toBe(MDS_UPDATE_EXIT_CODES.rollback);
    expect((await runMdsUpdate(["--from-file", "/nonexistent/blob.jwt"], config(file), () => trust)).err).toEqual([
      "mds:update: cannot read /nonexistent/blob.jwt (ENOENT)",
    ]);
    expect(readFileSync(file, "utf8")).toBe(OLD);
    expect(new Set(Object.values(MDS_UPDATE_EXIT_CODES)).size).toBe(Object.keys(MDS_UPDATE_EXIT_CODES).length);
  });

  it("needs FIDO_MDS_FILE and says so", async () => {
    const result = await runMdsUpdate([], config(undefined), () => trust);
    expect(result.code).toBe(MDS_UPDATE_EXIT_CODES.usage);
    expect(result.err[0]).toMatch(/^mds:update: FIDO_MDS_FILE is not set/);
  });

  it("refuses unknown arguments and the test root in production", async () => {
    expect((await runMdsUpdate(["--force"], config(installed()), () => trust)).code).toBe(MDS_UPDATE_EXIT_CODES.usage);
    const production = () => mdsBlobTrust({ ...TEST_MDS_CONFIG, NODE_ENV: "production" });
    const result = await runMdsUpdate([], config(installed()), production);
    expect(result).toMatchObject({ code: MDS_UPDATE_EXIT_CODES.usage, err: [expect.stringMatching(/FIDO_MDS_TEST_ROOT_FILE: .*refused/)] });
  });
});
