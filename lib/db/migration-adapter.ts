import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { pgliteAdapter } from "./pglite-adapter";
import { lockDataDir, resolveDataDir } from "./data-dir";

/**
 * Driver adapter for the Prisma CLI: PostgreSQL when DATABASE_URL is set, else the embedded PGlite.
 * PGlite is opened (and its directory locked) only when the CLI connects: commands that merely load
 * the config, such as the `prisma -v` that @prisma/client's postinstall runs, would otherwise hold the
 * database open and never exit.
 */
export async function createMigrationAdapter(): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const url = process.env.DATABASE_URL;
  if (url) return new PrismaPg({ connectionString: url });
  let opened: SqlMigrationAwareDriverAdapterFactory | undefined;
  const open = () => {
    if (!opened) {
      const dir = resolveDataDir();
      lockDataDir(dir);
      opened = pgliteAdapter(new PGlite(dir));
    }
    return opened;
  };
  return {
    provider: "postgres",
    adapterName: "pglite-prisma-adapter",
    connect: () => open().connect(),
    connectToShadowDb: () => open().connectToShadowDb(),
  };
}
