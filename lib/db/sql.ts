import "server-only";
import type { OrgSettings } from "./generated/client";
import { database } from "./client";

// Plain SQL for the login's hot path (password step, /verify's key step, the
// session's start). Prisma 6's client engine compiles every query in
// WebAssembly on the main thread, ~0.8 ms of CPU per query here against
// ~0.13 ms for the same statement on the driver; a key step made a dozen of
// them. These statements go straight to the driver (pg's pool, or PGlite),
// outside any Prisma transaction: each one is a single statement, atomic on
// its own (several changes in one statement use data-modifying CTEs).
//
// Timestamps are stored as Prisma stores them, `timestamp(3)` without time
// zone holding UTC. Bind a Date with `ts(date)` and cast `$n::timestamp` (the
// ISO string's "Z" is dropped by the cast, leaving UTC wall time); read one
// back through `to_json(column)` (or a row through `row_to_json`) and turn it
// into a Date with `fromTs`. Neither driver's own timestamp parser is used:
// both would read the value in the server's local time zone.

/** Runs one statement on the process-wide database's driver. */
export function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  return database().raw.query<T>(text, params);
}

/** A Date as a `$n::timestamp` parameter (UTC). */
export const ts = (date: Date): string => date.toISOString();

/** A timestamp (or date) read through to_json / row_to_json, as the Date Prisma would return. */
export function fromTs(value: string): Date;
export function fromTs(value: string | null | undefined): Date | null;
export function fromTs(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return new Date(value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`);
}

/** A row from row_to_json, with its timestamp columns (named in `dates`) as Dates. */
export function reviveRow<T>(row: Record<string, unknown>, dates: readonly string[]): T {
  const out: Record<string, unknown> = { ...row };
  for (const key of dates) out[key] = fromTs(row[key] as string | null);
  return out as T;
}

const ORG_SETTINGS_DATES = ["mfaRequiredFrom", "updatedAt"] as const;

/** OrgSettings from `row_to_json("OrgSettings")` (null when the org has none yet). */
export function orgSettingsFromJson(row: Record<string, unknown> | null): OrgSettings | null {
  return row ? reviveRow<OrgSettings>(row, ORG_SETTINGS_DATES) : null;
}
