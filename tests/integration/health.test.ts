import { describe, expect, it } from "vitest";
import { migrate, pendingMigrations, readMigrations } from "@/lib/db/migrate";
import { useTestDatabase } from "../support/database";

const database = useTestDatabase();

describe("migrations", () => {
  it("applies every migration once and records it in Prisma's table", async () => {
    const { raw } = database.current();
    expect(await pendingMigrations(raw)).toEqual([]);
    expect(await migrate(raw)).toEqual([]);
    const rows = await raw.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows).toEqual(readMigrations().map((m) => ({ migration_name: m.name, checksum: m.checksum })));
  });

  it("reports a migration that is not applied as pending", async () => {
    const { raw } = database.current();
    const extra = { name: "29991231000000_future", sql: "SELECT 1;", checksum: "x" };
    expect(await pendingMigrations(raw, [...readMigrations(), extra])).toEqual(["29991231000000_future"]);
  });

  it("refuses a migration edited after it was applied, changing nothing", async () => {
    const { raw } = database.current();
    const [first, ...rest] = readMigrations();
    const edited = { ...first!, checksum: "0".repeat(64) };
    await expect(migrate(raw, [edited, ...rest])).rejects.toThrow(/checksum mismatch/);
    expect(await pendingMigrations(raw)).toEqual([]);
  });
});
