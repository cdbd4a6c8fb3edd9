import { CliError, EXIT, usageError } from "../errors";
import { printJson, printTable, type CliIo } from "../io";
import { ApiClient, ApiError, NetworkError, pageData, type Connection } from "./client";
import { text, time, type Item } from "./fields";

// history login (Login History, cursor reads) and events tail (the org's
// security events, oldest first, polled from a cursor: DESIGN.md section 13).

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "12h", "30m", "2w" before `now`, or an ISO date or time; as an ISO timestamp. */
export function parseSince(value: string, now = new Date()): string {
  const relative = /^(\d{1,5})([mhdw])$/.exec(value.trim());
  if (relative) {
    const amount = Number(relative[1]);
    if (amount === 0) throw usageError("--since: use more than 0, e.g. 7d.");
    return new Date(now.getTime() - amount * UNITS[relative[2]!]!).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) {
    const date = new Date(value.trim());
    if (!Number.isNaN(date.getTime())) return date.toISOString();
  }
  throw usageError(`--since: use a duration such as 30m, 12h, 7d or 2w, or a date such as 2026-11-30 (got "${value}").`);
}

export async function historyLogin(connection: Connection, options: { since: string; json?: boolean }, io: CliIo): Promise<void> {
  const since = parseSince(options.since);
  const client = new ApiClient(connection, io);
  const entries: Item[] = [];
  for await (const entry of client.items<Item>("/api/v1/login-history", { since, limit: 100 })) entries.push(entry);
  if (options.json) return printJson(io, entries);
  if (entries.length === 0) return io.err(`No logins since ${since}.\n`);
  printTable(
    io,
    ["TIME", "USERNAME", "RESULT", "IP", "BROWSER"],
    entries.map((entry) => [time(entry, ["at"]), text(entry, "username"), text(entry, "result"), text(entry, "ip"), text(entry, "userAgent")]),
  );
}

export interface TailOptions {
  after?: string;
  types?: string;
  interval: string;
  once?: boolean;
  format?: string;
}

const MAX_BACKOFF_MS = 60_000;

/** Worth waiting out: no answer, too many requests, or a server error. A refusal (bad token, a cursor past retention) is not. */
function passing(error: unknown): error is CliError {
  if (error instanceof ApiError) return error.status === 429 || error.status >= 500;
  return error instanceof NetworkError;
}

/**
 * Prints each event as one JSON line, oldest first, and keeps polling until
 * stopped (or, with --once, until caught up). Passing failures (network, 429,
 * 5xx) are retried with a growing pause; a refused token or a bad cursor stops it.
 */
export async function eventsTail(connection: Connection, options: TailOptions, io: CliIo): Promise<void> {
  const intervalSeconds = Number(options.interval);
  if (!Number.isFinite(intervalSeconds) || intervalSeconds < 1 || intervalSeconds > 3600) throw usageError("--interval: seconds from 1 to 3600.");
  if (options.format !== undefined && options.format !== "ocsf" && options.format !== "json") throw usageError("--format: json (the default) or ocsf.");
  const client = new ApiClient(connection, io);
  let cursor = options.after ?? null;
  let failures = 0;
  while (!io.signal.aborted) {
    let page: { data: Item[]; nextCursor: string | null };
    try {
      const { body } = await client.get("/api/v1/events", { after: cursor, limit: 100, format: options.format, types: options.types });
      page = { data: pageData<Item>(body, "/api/v1/events"), nextCursor: (body as { nextCursor?: string | null }).nextCursor ?? null };
      failures = 0;
    } catch (error) {
      if (io.signal.aborted) break;
      if (!passing(error)) throw error;
      failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, intervalSeconds * 1000 * 2 ** Math.min(failures - 1, 6));
      const wait = error instanceof ApiError && error.retryAfterSeconds !== null ? Math.max(backoff, error.retryAfterSeconds * 1000) : backoff;
      io.err(`gatehouse events tail: ${error.message}; retrying in ${Math.round(wait / 1000)} s\n`);
      await io.sleep(wait, io.signal);
      continue;
    }
    for (const event of page.data) io.out(`${JSON.stringify(event)}\n`);
    // The cursor moves only forward: an empty answer without one keeps the last.
    if (page.nextCursor) cursor = page.nextCursor;
    else if (page.data.length > 0) {
      // Without a next cursor, continue after the last event, or stop rather than print the same events again.
      const last = page.data.at(-1)!;
      const own = last.cursor ?? last.sequence;
      if (own === undefined || own === null) throw new CliError(EXIT.failure, "The server sent events without a cursor to continue from; stopping.");
      cursor = String(own);
    }
    if (page.data.length > 0) continue;
    if (options.once) break;
    await io.sleep(intervalSeconds * 1000, io.signal);
  }
  if (cursor) io.err(`gatehouse events tail: stopped; continue with --after ${cursor}\n`);
}
