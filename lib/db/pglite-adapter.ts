import type { PGlite } from "@electric-sql/pglite";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

/**
 * pglite-prisma-adapter 0.6 declares its types against driver-adapter-utils
 * 6.10; the runtime contract is the one Prisma 6.19 expects (the integration
 * suite runs every query through it), only the declarations differ.
 *
 * Kept apart from client.ts so that prisma.config.ts (via migration-adapter.ts)
 * does not import the generated client: on a fresh `npm ci` the postinstall
 * `prisma generate` loads the config before that client exists.
 */
export function pgliteAdapter(lite: PGlite): SqlMigrationAwareDriverAdapterFactory {
  return new PrismaPGlite(lite) as unknown as SqlMigrationAwareDriverAdapterFactory;
}
