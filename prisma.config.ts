import path from "node:path";
import { defineConfig } from "prisma/config";
import { createMigrationAdapter } from "./lib/db/migration-adapter";

// The CLI (migrate deploy/diff/status) runs on Prisma's WebAssembly schema
// engine through our driver adapter, so it needs no native binary download.
export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  experimental: { adapter: true },
  engine: "js",
  adapter: createMigrationAdapter,
});
