#!/usr/bin/env node
// `npm start`: build when the sources changed since the last build, then serve
// with scripts/server.mjs (Next.js behind a server that decides the client IP;
// the embedded demo listens on loopback unless HOST is set). The server
// migrates its database (and, for the embedded demo without SMTP_URL, seeds
// the demo orgs into a new embedded one; GATEHOUSE_SEED_DEMO) before it answers. Options: --port N (or PORT).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isBuilt, sourceFingerprint, stampBuild } from "./source-fingerprint.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const portFlag = process.argv.indexOf("--port");
const port = portFlag > -1 ? process.argv[portFlag + 1] : (process.env.PORT ?? "3000");
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const env = { ...process.env, PORT: port, APP_URL: appUrl, NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? appUrl, NEXT_TELEMETRY_DISABLED: "1" };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!fs.existsSync(path.join(root, "lib", "db", "generated", "client.ts"))) {
  run(process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"]);
}
// NEXT_DIST_DIR moves the build (next.config.js); the server reads the same variable.
const distDir = process.env.NEXT_DIST_DIR || ".next";
if (!isBuilt(root, distDir) || process.argv.includes("--rebuild")) {
  console.log("[gatehouse] building the app (first start or changed sources)…");
  // Fingerprinted before the build, so a file edited while it runs makes the next start build again.
  const fingerprint = sourceFingerprint(root);
  run(process.execPath, [nextBin, "build"]);
  stampBuild(root, distDir, fingerprint);
}

console.log(`[gatehouse] starting on ${appUrl} (${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite in .data/"})`);
// Memory: V8's young generation at 4 MB semi-spaces instead of 16 (its default here) and glibc's mmap
// threshold fixed at 128 KiB (otherwise it rises after the first large free, and each Argon2id hash's
// 19 MiB then stays resident in the malloc arena of the thread that hashed it). Idle RSS after a warm-up
// went from ~225 to ~165 MB in the bench, with no throughput change it could measure.
const serverEnv = { MALLOC_MMAP_THRESHOLD_: "131072", ...env };
// WebAssembly stays on V8's baseline compiler (Liftoff): the hot functions of PGlite (the embedded database) and of
// Prisma's query compiler would otherwise be recompiled by TurboFan, whose code and compile memory stay resident.
// Embedded, idle RSS after a very first start 289 → 252 MB and after a restart 248 → 218 (one run each); on
// PostgreSQL, idle RSS over three starts 151/150/149 → 145/144/145. CPU per login and Setup page p50s moved less
// than their run-to-run noise (key step c=8 on PostgreSQL 16.7, 18.52 → 14.96, 27.2 ms per login in runs
// interleaved on a busy host; Setup → Users p50 30.3, 44 → 31.5, 38.8 ms).
const server = spawn(process.execPath, ["--max-semi-space-size=4", "--liftoff-only", path.join(root, "scripts", "server.mjs"), "--port", port], {
  cwd: root,
  stdio: "inherit",
  env: serverEnv,
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
