import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { TrustConfigError } from "./load";
import { MdsBlobError, parseMdsBlob, type MdsBlobTrust, type MdsData } from "./mds";

// `npm run mds:update`: fetch (or take a hand-copied) FIDO MDS3 BLOB, verify
// it exactly as the server will (parseMdsBlob), and only then replace
// FIDO_MDS_FILE in one rename, so a running server never reads half a file and
// a failed update leaves the old file as it was.

/** Why an update failed; each has its own exit code (README, "FIDO metadata"). */
export const MDS_UPDATE_EXIT_CODES = { usage: 2, download: 3, refused: 4, rollback: 5, write: 6 } as const;
export type MdsUpdateFailure = keyof typeof MDS_UPDATE_EXIT_CODES;

export class MdsUpdateError extends Error {
  constructor(
    readonly failure: MdsUpdateFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface MdsUpdateOptions {
  /** FIDO_MDS_FILE: where the BLOB goes. */
  file: string;
  source: { url: string } | { fromFile: string };
  trust: MdsBlobTrust;
  timeoutMs?: number;
  now?: Date;
}

export interface MdsInstalled {
  serial: number;
  entries: number;
  nextUpdate: string;
  /** Serial of the BLOB it replaced, if there was one. */
  previousSerial: number | null;
}

/** Today's BLOB is ~10 MB; anything far larger is not one. */
const MAX_BLOB_BYTES = 100 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function download(url: string, timeoutMs: number): Promise<string> {
  const fail = (reason: string) => new MdsUpdateError("download", `cannot download ${url}: ${reason}`);
  try {
    // The timeout covers the body too: a server that stalls mid-download fails like one that never answers.
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    if (!response.ok) throw fail(`HTTP ${response.status}`);
    if (Number(response.headers.get("content-length") ?? 0) > MAX_BLOB_BYTES) throw fail("the response is too large to be a BLOB");
    const text = await response.text();
    if (text.length > MAX_BLOB_BYTES) throw fail("the response is too large to be a BLOB");
    return text;
  } catch (error) {
    if (error instanceof MdsUpdateError) throw error;
    throw fail(networkReason(error, timeoutMs));
  }
}

function readSource(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new MdsUpdateError("usage", `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}

/**
 * The serial of the BLOB already installed, or null. Its payload is read
 * without checking the signature again: it was verified when installed, and
 * the question is only whether the new one is older.
 */
function installedSerial(file: string): number | null {
  try {
    const payload = fs.readFileSync(file, "utf8").trim().split(".")[1] ?? "";
    const no: unknown = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { no?: unknown }).no;
    return typeof no === "number" && Number.isInteger(no) ? no : null;
  } catch {
    return null;
  }
}

/** Writes beside the target and renames over it: readers see the old file or the new one, never a mix. */
function writeAtomically(file: string, blob: string): void {
  const target = path.resolve(file);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const fd = fs.openSync(temp, "wx", 0o644);
    try {
      fs.writeFileSync(fd, blob);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw new MdsUpdateError("write", `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? "unwritable"})`);
  }
}

/** Fetches or reads a BLOB, verifies it and installs it. Throws MdsUpdateError (the old file untouched). */
export async function updateMdsFile(options: MdsUpdateOptions): Promise<MdsInstalled> {
  const now = options.now ?? new Date();
  const blob = "url" in options.source ? await download(options.source.url, options.timeoutMs ?? DEFAULT_TIMEOUT_MS) : readSource(options.source.fromFile);
  let data: MdsData;
  try {
    data = parseMdsBlob(blob, options.trust, now);
  } catch (error) {
    if (error instanceof MdsBlobError) throw new MdsUpdateError("refused", `the BLOB is refused: ${error.message}`);
    throw error;
  }
  const previousSerial = installedSerial(options.file);
  if (previousSerial !== null && data.serial < previousSerial) {
    throw new MdsUpdateError(
      "rollback",
      `the BLOB is refused: its serial number ${data.serial} is lower than ${previousSerial}, the one installed in ${options.file} (an older BLOB would undo later revocations)`,
    );
  }
  writeAtomically(options.file, blob.trim());
  return { serial: data.serial, entries: data.entries, nextUpdate: data.nextUpdate, previousSerial };
}

export interface MdsUpdateCommandResult {
  code: number;
  out: string[];
  err: string[];
}

/** The command line: arguments and configuration in, exit code and output lines out (scripts/mds-update.ts prints them). */
export async function runMdsUpdate(
  argv: readonly string[],
  config: { FIDO_MDS_FILE?: string; FIDO_MDS_URL: string },
  trust: () => MdsBlobTrust,
  now = new Date(),
): Promise<MdsUpdateCommandResult> {
  const usage = (message: string) => ({ code: MDS_UPDATE_EXIT_CODES.usage, out: [], err: [`mds:update: ${message}`] });
  let fromFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--from-file" && argv[i + 1]) fromFile = argv[++i];
    else return usage(`unknown argument ${argv[i]} (usage: npm run mds:update [-- --from-file PATH])`);
  }
  if (!config.FIDO_MDS_FILE) {
    return usage("FIDO_MDS_FILE is not set: set it to where the BLOB should go (e.g. /etc/gatehouse/mds.jwt), the same value the server uses");
  }
  try {
    const source = fromFile ? { fromFile } : { url: config.FIDO_MDS_URL };
    const installed = await updateMdsFile({ file: config.FIDO_MDS_FILE, source, trust: trust(), now });
    const was = installed.previousSerial === null ? "" : ` (was no. ${installed.previousSerial})`;
    const out = [
      `Installed FIDO metadata BLOB no. ${installed.serial}${was} in ${config.FIDO_MDS_FILE}: ${installed.entries} entries, next update ${installed.nextUpdate}.`,
    ];
    if (new Date(`${installed.nextUpdate}T00:00:00Z`).getTime() < now.getTime()) {
      out.push(`Warning: this BLOB is past its next update date (${installed.nextUpdate}); a newer one should be available.`);
    }
    return { code: 0, out, err: [] };
  } catch (error) {
    if (error instanceof MdsUpdateError) return { code: MDS_UPDATE_EXIT_CODES[error.failure], out: [], err: [`mds:update: ${error.message}`] };
    if (error instanceof TrustConfigError) return usage(error.message);
    return { code: 1, out: [], err: [`mds:update: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
