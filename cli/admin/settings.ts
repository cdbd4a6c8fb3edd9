import fs from "node:fs";
import path from "node:path";
import { CliError, EXIT, usageError } from "../errors";
import { printJson, type CliIo } from "../io";
import { ApiClient, ApiError, type Connection } from "./client";

// Session Settings as code: `settings get > acme.json`, edit, `settings apply acme.json`.
// apply never writes blind: it reads the current ETag, asks the server for the
// diff and warnings (dry run, same If-Match), shows them, asks, and then
// writes with that same If-Match, so a change made by someone else in between
// is refused (412) rather than overwritten.

const SETTINGS_PATH = "/api/v1/session-settings";
const MAX_FILE_BYTES = 1024 * 1024;
export const STALE_SETTINGS = "Someone changed the settings since you read them: run settings get again.";
export const CONFIRM_PROMPT = "Apply these changes? [y/N] ";

export interface SettingsChange {
  field: string;
  label?: string;
  old: unknown;
  new: unknown;
}

export interface SettingsWarning {
  code?: string;
  message: string;
}

export interface DryRun {
  changes: SettingsChange[];
  warnings: SettingsWarning[];
}

export async function settingsGet(connection: Connection, io: CliIo): Promise<void> {
  const { body } = await new ApiClient(connection, io).get(SETTINGS_PATH);
  printJson(io, body);
}

export interface ApplyOptions {
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Returns the exit code: 0 applied (or nothing to apply, or a dry run), 1 declined. */
export async function settingsApply(connection: Connection, file: string, options: ApplyOptions, io: CliIo): Promise<number> {
  if (!options.yes && !options.dryRun && !io.interactive) {
    throw usageError(
      "settings apply asks before it applies, and nobody can answer here (stdin is not a terminal): pass --yes to apply without asking, or --dry-run to only show the changes.",
    );
  }
  const document = readSettingsFile(path.resolve(io.cwd, file), file);
  const client = new ApiClient(connection, io);

  const current = await client.get(SETTINGS_PATH);
  const etag = current.headers.get("etag");
  if (!etag)
    throw new CliError(EXIT.failure, "The server sent the settings without an ETag, so a safe update is impossible: is GATEHOUSE_URL a Gatehouse server?");

  const preview = parseDryRun(await put(client, document, etag, true, file));
  // With --json, stdout carries only the JSON; the person deciding still sees the diff on stderr.
  const show = options.json ? io.err : io.out;
  show(describeDryRun(preview));

  const result = (applied: boolean) => {
    if (options.json) printJson(io, { ...preview, applied });
  };
  if (preview.changes.length === 0 || options.dryRun) {
    result(false);
    return EXIT.ok;
  }
  if (!options.yes) {
    const answer = (await io.ask(CONFIRM_PROMPT)).trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") {
      io.err("Nothing applied.\n");
      result(false);
      return EXIT.failure;
    }
  }
  await put(client, document, etag, false, file);
  show(`Applied ${plural(preview.changes.length, "change")}.\n`);
  result(true);
  return EXIT.ok;
}

async function put(client: ApiClient, document: Record<string, unknown>, etag: string, dryRun: boolean, file: string): Promise<unknown> {
  try {
    const { body } = await client.request("PUT", SETTINGS_PATH, {
      query: { dry_run: dryRun ? "true" : undefined },
      headers: { "if-match": etag },
      body: document,
    });
    return body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) throw new CliError(EXIT.conflict, STALE_SETTINGS);
    if (error instanceof ApiError && error.exitCode === EXIT.usage) {
      // The server names the fields of the file it refused; nothing was changed.
      throw new CliError(EXIT.usage, `${file}: ${error.message} (nothing was changed)`, error.details);
    }
    throw error;
  }
}

/** The file as a settings document, or a usage error naming the file and what is wrong with it. */
export function readSettingsFile(fullPath: string, shownAs: string): Record<string, unknown> {
  let text: string;
  try {
    const stat = fs.statSync(fullPath);
    if (stat.isDirectory()) throw usageError(`${shownAs}: is a directory, not a settings file.`);
    if (stat.size > MAX_FILE_BYTES) throw usageError(`${shownAs}: too large for a settings document (${stat.size} bytes).`);
    text = fs.readFileSync(fullPath, "utf8");
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`${shownAs}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "unreadable"}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usageError(`${shownAs}: not valid JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw usageError(`${shownAs}: a settings document is one JSON object ({ "field": value, ... }), as settings get prints it.`);
  }
  return parsed as Record<string, unknown>;
}

function parseDryRun(body: unknown): DryRun {
  const candidate = (body ?? {}) as { changes?: unknown; warnings?: unknown };
  if (!Array.isArray(candidate.changes)) throw new CliError(EXIT.failure, "Unexpected answer to the dry run: no list of changes.");
  return {
    changes: candidate.changes as SettingsChange[],
    warnings: Array.isArray(candidate.warnings) ? (candidate.warnings as SettingsWarning[]) : [],
  };
}

export function describeDryRun({ changes, warnings }: DryRun): string {
  if (changes.length === 0) return "No changes: the server's settings already match the file.\n";
  const lines = [`${plural(changes.length, "change")}:`];
  for (const change of changes) {
    const name = change.label ? `${change.label} (${change.field})` : change.field;
    lines.push(`  ${name}: ${show(change.old)} → ${show(change.new)}`);
  }
  if (warnings.length) {
    lines.push("Warnings:");
    for (const warning of warnings) lines.push(`  ! ${warning.message}`);
  }
  return `${lines.join("\n")}\n`;
}

function show(value: unknown): string {
  return value === undefined ? "(not set)" : JSON.stringify(value);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
