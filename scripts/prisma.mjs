#!/usr/bin/env node
// Runs the Prisma CLI offline. Prisma 6 downloads a native query-engine library
// unless PRISMA_QUERY_ENGINE_LIBRARY names an existing file; our client is
// generated with engineType "client" and the CLI's schema engine is the
// WebAssembly one (prisma.config.ts), so the file is never loaded.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const placeholder = path.join(root, "node_modules", ".cache", "gatehouse", "no-native-query-engine.node");
if (!process.env.PRISMA_QUERY_ENGINE_LIBRARY) {
  fs.mkdirSync(path.dirname(placeholder), { recursive: true });
  if (!fs.existsSync(placeholder)) fs.writeFileSync(placeholder, "");
}
const result = spawnSync(process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    ...process.env,
  },
});
process.exit(result.status ?? 1);
