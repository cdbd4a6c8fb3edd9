import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { database, db, openDatabase, reopenDatabase, setDatabase } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";

// Startup reopens the embedded database on a fresh worker thread after migrating and seeding it
// (lib/server/startup.ts), so that the memory those grew is given back: what they wrote must still be there.

/** Installs `next` as the process-wide database for `run`, then closes it and puts the previous one back. */
async function withDatabase(next: ReturnType<typeof openDatabase>, run: () => Promise<void>) {
  const previous = setDatabase(next);
  try {
    await migrate(database().raw);
    await run();
  } finally {
    await setDatabase(previous)?.close();
  }
}

describe("reopening the embedded database", () => {
  it("on a data directory: a new worker serves what the old one wrote, and the old one is closed", async (ctx) => {
    if (process.env.TEST_DATABASE_URL) return ctx.skip(); // PostgreSQL has nothing to reopen
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-reopen-"));
    try {
      await withDatabase(openDatabase({ dataDir: path.join(dir, "pglite") }), async () => {
        const before = database();
        await db().org.create({ data: { slug: "reopened", name: "Reopened" } });
        await reopenDatabase();
        expect(database()).not.toBe(before);
        expect(await db().org.findUnique({ where: { slug: "reopened" }, select: { name: true } })).toEqual({ name: "Reopened" });
        await expect(before.raw.query("SELECT 1")).rejects.toThrow();
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on a new data directory: the database is created beside it and moved into place, and reopens with its data", async (ctx) => {
    if (process.env.TEST_DATABASE_URL) return ctx.skip();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-create-"));
    const dataDir = path.join(dir, "pglite");
    fs.mkdirSync(dataDir); // empty, as resolveDataDir leaves it
    try {
      await withDatabase(openDatabase({ dataDir }), async () => {
        await db().org.create({ data: { slug: "created-apart", name: "Created apart" } });
        expect(fs.existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
        expect(fs.readdirSync(dir).filter((name) => name.includes(".creating-"))).toEqual([]); // no staging left behind
      });
      // Opened again, it is the same database.
      await withDatabase(openDatabase({ dataDir }), async () => {
        expect(await db().org.count({ where: { slug: "created-apart" } })).toBe(1);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("in memory: left as it is (reopening would lose it)", async (ctx) => {
    if (process.env.TEST_DATABASE_URL) return ctx.skip();
    await withDatabase(openDatabase({ dataDir: "memory://" }), async () => {
      const before = database();
      await db().org.create({ data: { slug: "kept", name: "Kept" } });
      await reopenDatabase();
      expect(database()).toBe(before);
      expect(await db().org.count({ where: { slug: "kept" } })).toBe(1);
    });
  });
});
