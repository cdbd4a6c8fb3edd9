import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { pgliteAdapter } from "./pglite-adapter";
import { lockDataDir, resolveDataDir } from "./data-dir";

/** Driver adapter for the Prisma CLI: PostgreSQL when DATABASE_URL is set, else the embedded PGlite. */
export async function createMigrationAdapter(): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const url = process.env.DATABASE_URL;
  if (url) return new PrismaPg({ connectionString: url });
  const dir = resolveDataDir();
  lockDataDir(dir);
  return pgliteAdapter(new PGlite(dir));
}
