import "server-only";
import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "../env";
import { lockDataDir, resolveDataDir } from "./data-dir";
import { startPgliteWorker } from "./pglite-worker";
import { PrismaClient } from "./generated/client";

export { pgliteAdapter } from "./pglite-adapter";

export type Db = PrismaClient;
export type DatabaseKind = "pglite" | "postgres";

/** Plain SQL on the underlying driver, for migrations: multi-statement scripts in one transaction. */
export interface RawSql {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (tx: Pick<RawSql, "query" | "exec">) => Promise<T>): Promise<T>;
  exec(script: string): Promise<void>;
}

export interface Database {
  prisma: Db;
  kind: DatabaseKind;
  raw: RawSql;
  close(): Promise<void>;
  /** Opens the same database again, after close(): the embedded one on a data directory (not an in-memory one). */
  reopen?: () => Database;
}

export type DatabaseOptions = { url: string } | { dataDir: string };

export function openDatabase(options: DatabaseOptions): Database {
  return "url" in options ? openPostgres(options.url) : openPglite(options.dataDir);
}

// The statements lib/db/sql.ts sends on the driver (the login's hot path) are named, so each pooled
// connection parses and plans a statement's text once (a prepared statement) and then only binds and
// executes it. Their texts are constants (fragments included), so the names are few; past
// MAX_PREPARED distinct texts the rest go unnamed rather than grow every connection's cache.
const MAX_PREPARED = 500;
const preparedNames = new Map<string, string>();

function preparedName(text: string): string | undefined {
  const known = preparedNames.get(text);
  if (known || preparedNames.size >= MAX_PREPARED) return known;
  const name = `gh_${createHash("sha256").update(text).digest("base64url").slice(0, 22)}`;
  preparedNames.set(text, name);
  return name;
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle pooled connection that dies (server restart, failover, a dropped
  // test database) is reported here; unheard, it would crash the process.
  // The pool replaces it, so the next query just reconnects.
  pool.on("error", (error) => console.warn(`database: idle connection lost (${error.message})`));
  return overPool(pool, "postgres", () => pool.end().catch(() => undefined));
}

/** The Prisma client and raw SQL on a pg Pool: PostgreSQL's, or the embedded database's (lib/db/pglite-worker.ts). */
function overPool(pool: pg.Pool, kind: DatabaseKind, end: () => Promise<void>): Database {
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const raw: RawSql = {
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query({ text: sql, values: params, name: preparedName(sql) })).rows as T[];
    },
    async exec(script) {
      await pool.query(script);
    },
    async transaction(work) {
      const client = await pool.connect();
      const tx = {
        query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
        exec: async (script: string) => void (await client.query(script)),
      };
      try {
        await client.query("BEGIN");
        const result = await work(tx);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
  return {
    prisma,
    kind,
    raw,
    async close() {
      await prisma.$disconnect();
      await end();
    },
  };
}

// PGlite's Postgres keeps its buffer cache in the WebAssembly memory, all of it
// resident from the start: PostgreSQL's default of 128 MB made the embedded
// server ~320 MB before its first request. The embedded database is one
// process's small one; file reads past the cache still hit the OS page cache.
// Bench (quick, PGlite): RSS after start 317 -> 182 MB, idle after warm-up 414 -> 247 MB.
export const PGLITE_SHARED_BUFFERS = "16MB";

function openPglite(dataDir: string): Database {
  const unlock = lockDataDir(dataDir);
  const embedded = startPgliteWorker(dataDir, ["-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`]);
  const database = overPool(embedded.pool, "pglite", async () => {
    await embedded.close();
    unlock();
  });
  return dataDir.startsWith("memory://") ? database : { ...database, reopen: () => openPglite(dataDir) };
}

// One database per process. Next.js compiles instrumentation, route handlers and
// pages into separate bundles, so the handle lives on globalThis: two PGlite
// instances on one data directory would corrupt it.
const globalKey = Symbol.for("gatehouse.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Database };

/** The process-wide database: PostgreSQL when DATABASE_URL is set, else PGlite under .data/. */
export function database(): Database {
  const holder = globalThis as GlobalWithDb;
  if (!holder[globalKey]) {
    const url = env().DATABASE_URL;
    holder[globalKey] = openDatabase(url ? { url } : { dataDir: resolveDataDir() });
  }
  return holder[globalKey];
}

/** Shorthand for the Prisma client of the process-wide database. */
export function db(): Db {
  return database().prisma;
}

/**
 * Closes the process-wide embedded database and opens it again on a fresh worker thread, whose WebAssembly
 * memory starts small again (it grows while migrations and the demo seed run, and never shrinks). Nothing to
 * do for PostgreSQL or an in-memory database. Call it before anything else uses the database (startup).
 */
export async function reopenDatabase(): Promise<void> {
  const current = (globalThis as GlobalWithDb)[globalKey];
  if (!current?.reopen) return;
  await current.close();
  setDatabase(current.reopen());
}

/** Replaces the process-wide database (tests, scripts). Returns the previous one. */
export function setDatabase(next: Database | undefined): Database | undefined {
  const holder = globalThis as GlobalWithDb;
  const previous = holder[globalKey];
  holder[globalKey] = next;
  return previous;
}
