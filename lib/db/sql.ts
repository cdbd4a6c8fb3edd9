import "server-only";
import type { OrgSettings, Prisma } from "./generated/client";
import { database } from "./client";
import { col, type RowMapper } from "./rows";

export { col, fromTs, rowMapper, RowShapeError, type RowMapper } from "./rows";

// When SQL goes to the driver, and when through Prisma:
// - Prisma's query builder is the default: pages, actions, services, and every
//   write that belongs in a transaction with others.
// - The driver (`query` and `execute` with no `on`) serves the login's hot path
//   only: the password step, /verify, the session's start, and the rate limits
//   and WebAuthn challenges they use. Prisma 6's client engine compiles every
//   query in WebAssembly on the main thread, ~0.8 ms of CPU per query here
//   against ~0.13 ms for the same statement on the driver; a key step made a
//   dozen of them. Each is one statement outside any transaction, atomic on its
//   own (several changes in one statement use data-modifying CTEs).
// - Raw SQL through Prisma (`on: tx`, or `on: db()`): a statement that must
//   join a Prisma transaction or is off the hot path but reads better in SQL
//   (counts over an index range, a rule kept once as a SQL fragment such as
//   lib/verification/second-factors.ts or livePendingLoginSql). Same mappers.
// Rows come back through a RowMapper (lib/db/rows.ts) that names and converts
// each column, never through an unchecked cast.
//
// Timestamps are stored as Prisma stores them, `timestamp(3)` without time
// zone holding UTC. Bind a Date with `ts(date)` and cast `$n::timestamp` (the
// ISO string's "Z" is dropped by the cast, leaving UTC wall time); read one
// back through `to_json(column)` (or a row through `row_to_json`) and map it
// with `col.timestamp` (or `col.record`). Neither driver's own timestamp
// parser is used: both would read the value in the server's local time zone.

/** Runs a statement through Prisma instead of the driver: inside its transaction, or on its client. */
export type SqlTarget = Pick<Prisma.TransactionClient, "$queryRawUnsafe">;

async function rawRows(text: string, params: unknown[], on: SqlTarget | undefined): Promise<Record<string, unknown>[]> {
  if (on) return on.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
  return database().raw.query<Record<string, unknown>>(text, params);
}

/** Runs one statement (on the driver unless `on` names Prisma) and reads its rows through `rows`. */
export async function query<T>(rows: RowMapper<T>, text: string, params: unknown[] = [], on?: SqlTarget): Promise<T[]> {
  return rows.map(await rawRows(text, params, on));
}

/** Runs one statement for its effect; returns how many rows it returned (so `RETURNING 1` counts the rows it changed). */
export async function execute(text: string, params: unknown[] = [], on?: SqlTarget): Promise<number> {
  return (await rawRows(text, params, on)).length;
}

/** A Date as a `$n::timestamp` parameter (UTC). */
export const ts = (date: Date): string => date.toISOString();

const ORG_SETTINGS_DATES = ["mfaRequiredFrom", "adminRequiredFrom", "standardRequiredFrom", "updatedAt"] as const;

/** An org's OrgSettings read as `row_to_json(s)` (null when the org has none yet). */
export const orgSettingsColumn = col.nullable(col.record<OrgSettings>(ORG_SETTINGS_DATES));
