import { describe, expect, it } from "vitest";
import { col, fromTs, rowMapper, RowShapeError } from "@/lib/db/rows";

// Raw SQL rows are read through a mapper that names each column: a column
// renamed or dropped in a statement must fail loudly, not read as undefined.

const keyRow = rowMapper({ id: col.text, signCount: col.bigintText, usable: col.bool, count: col.int, lastUsedAt: col.nullable(col.timestamp) });

describe("typed rows at the raw-SQL boundary", () => {
  it("converts each column to the type the code uses, whichever driver returned it", () => {
    const fromPg = { id: "k1", signCount: "9007199254740993", usable: true, count: "3", lastUsedAt: "2026-11-30T07:40:12.345" };
    const fromPrisma = { id: "k1", signCount: "9007199254740993", usable: true, count: 3n, lastUsedAt: null };
    expect(keyRow.map([fromPg])).toEqual([
      { id: "k1", signCount: "9007199254740993", usable: true, count: 3, lastUsedAt: new Date("2026-11-30T07:40:12.345Z") },
    ]);
    expect(keyRow.map([fromPrisma])[0]).toMatchObject({ count: 3, lastUsedAt: null });
  });

  it("refuses a result whose column was renamed, naming the column", () => {
    const renamed = { id: "k1", sign_count: "1", usable: true, count: 1, lastUsedAt: null };
    expect(() => keyRow.map([renamed])).toThrow(RowShapeError);
    expect(() => keyRow.map([renamed])).toThrow(/missing column "signCount"; unexpected column "sign_count"/);
  });

  it("refuses a result with a column missing or one the mapper does not name", () => {
    expect(() => keyRow.map([{ id: "k1", signCount: "1", usable: true, count: 1 }])).toThrow(/missing column "lastUsedAt"/);
    expect(() => keyRow.map([{ id: "k1", signCount: "1", usable: true, count: 1, lastUsedAt: null, extra: 1 }])).toThrow(/unexpected column "extra"/);
  });

  it("reads no rows as no rows", () => {
    expect(keyRow.map([])).toEqual([]);
  });

  it("reads a row_to_json record with its timestamps as UTC Dates, and a date column as UTC midnight", () => {
    const settings = rowMapper({ s: col.nullable(col.record<{ mfaRequiredFrom: Date | null; updatedAt: Date }>(["mfaRequiredFrom", "updatedAt"])) });
    const [row] = settings.map([{ s: { mfaRequiredFrom: "2030-01-15", updatedAt: "2026-11-30T07:40:12.345" } }]);
    expect(row!.s).toEqual({ mfaRequiredFrom: new Date("2030-01-15T00:00:00Z"), updatedAt: new Date("2026-11-30T07:40:12.345Z") });
    expect(settings.map([{ s: null }])[0]!.s).toBeNull();
    expect(fromTs(null)).toBeNull();
  });
});
