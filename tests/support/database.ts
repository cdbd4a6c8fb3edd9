import crypto from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, setDatabase, type Database } from "@/lib/db/client";
import { migrate } from "@/lib/db/migrate";

/**
 * A fresh, migrated database for one test file, installed as the process-wide
 * database: in-memory PGlite by default, a new PostgreSQL database (dropped
 * afterwards) when TEST_DATABASE_URL is set.
 */
export async function createTestDatabase(): Promise<Database & { url?: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const database = openDatabase({ dataDir: "memory://" });
    await migrate(database.raw);
    return { ...database, drop: () => database.close() };
  }
  const name = `gatehouse_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = openDatabase({ url: url.toString() });
  await migrate(database.raw);
  return {
    ...database,
    url: url.toString(),
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Call at the top of a test file: every test in it shares one fresh database. */
export function useTestDatabase(): { current: () => Database & { url?: string } } {
  let database: (Database & { url?: string; drop(): Promise<void> }) | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    setDatabase(database);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await database?.drop();
  });
  return {
    current: () => {
      if (!database) throw new Error("useTestDatabase: database not ready (used outside a test?)");
      return database;
    },
  };
}
