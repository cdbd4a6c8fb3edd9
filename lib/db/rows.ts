// Typed rows at the raw-SQL boundary (lib/db/sql.ts). A statement's rows are
// read through a RowMapper that names each column it expects and converts its
// value to the type the code uses, so the same statement reads the same on pg,
// on PGlite and through Prisma's raw queries (which differ: a count is a
// string on pg and a bigint through Prisma). The column names are checked once
// per result, on its first row, since every row of a result has the same
// columns: a column renamed or dropped in the SQL fails at once, naming it,
// instead of reading as undefined. Values are converted, not validated: the
// login's hot path pays no per-row schema check.

/** Converts one column's value as the driver returned it. */
export type Column<T> = (value: unknown) => T;

/** A statement's result does not have the columns its mapper names. */
export class RowShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RowShapeError";
  }
}

/** A timestamp (or date) read through to_json / row_to_json, as the Date Prisma would return. */
export function fromTs(value: string): Date;
export function fromTs(value: string | null | undefined): Date | null;
export function fromTs(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return new Date(value.length === 10 ? `${value}T00:00:00Z` : `${value}Z`);
}

const nullable =
  <T>(convert: Column<T>): Column<T | null> =>
  (value) =>
    value === null || value === undefined ? null : convert(value);

const text: Column<string> = (value) => (typeof value === "string" ? value : String(value));
const int: Column<number> = (value) => (typeof value === "number" ? value : Number(value));
const bool: Column<boolean> = (value) => value === true || value === "t" || value === "true";
const timestamp: Column<Date> = (value) => (value instanceof Date ? value : fromTs(text(value)));

/** The column converters. Timestamps must be read through to_json (see lib/db/sql.ts). */
export const col = {
  text,
  /** A text column holding one of a closed set of values (an enum column, a literal union). */
  textAs: <T extends string>(): Column<T> => text as Column<T>,
  int,
  bool,
  /** A to_json(timestamp) value as a UTC Date. */
  timestamp,
  /** A bigint column as a decimal string (signCount::text), exact beyond 2^53. */
  bigintText: text,
  textArray: ((value) => (value ?? []) as string[]) as Column<string[]>,
  /** A json value built by the statement (json_agg, json_build_object): its shape is the statement's. */
  json:
    <T>(): Column<T> =>
    (value) =>
      (typeof value === "string" ? JSON.parse(value) : value) as T,
  /** A row_to_json(table) value, its timestamp fields (named in `dates`) as Dates. */
  record:
    <T>(dates: readonly string[]): Column<T> =>
    (value) => {
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const key of dates) out[key] = fromTs(out[key] as string | null);
      return out as T;
    },
  nullable,
};

export type RowOf<S extends Record<string, Column<unknown>>> = { [K in keyof S]: ReturnType<S[K]> };

export interface RowMapper<T> {
  readonly columns: readonly string[];
  /** The rows as T; throws RowShapeError when the result's columns are not exactly the mapper's. */
  map(rows: readonly Record<string, unknown>[]): T[];
}

/** A mapper for the columns of `shape`, each converted by its Column. */
export function rowMapper<S extends Record<string, Column<unknown>>>(shape: S): RowMapper<RowOf<S>> {
  const entries = Object.entries(shape);
  const columns = entries.map(([name]) => name);
  return {
    columns,
    map(rows) {
      if (rows.length === 0) return [];
      checkColumns(columns, Object.keys(rows[0]!));
      return rows.map((row) => {
        const out: Record<string, unknown> = {};
        for (const [name, convert] of entries) out[name] = convert(row[name]);
        return out as RowOf<S>;
      });
    },
  };
}

function checkColumns(expected: readonly string[], actual: readonly string[]): void {
  const missing = expected.filter((name) => !actual.includes(name));
  const extra = actual.filter((name) => !expected.includes(name));
  if (missing.length === 0 && extra.length === 0) return;
  const list = (names: string[]) => names.map((n) => `"${n}"`).join(", ");
  throw new RowShapeError(
    [missing.length ? `missing column ${list(missing)}` : null, extra.length ? `unexpected column ${list(extra)}` : null].filter(Boolean).join("; ") +
      ` (the statement returned ${list([...actual])})`,
  );
}
