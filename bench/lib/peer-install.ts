import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The peers (bench/peer-next, bench/peer) are installed, and the Next.js one
// built, once per version of their sources, in a cache outside the repository:
// `next build` is the slow part (1–3 min on 2 vCPU), a fresh clone with the
// same sources (CI) reuses it, and the project's tsc, eslint and prettier never
// meet its output. BENCH_CACHE overrides the cache folder (default ~/.cache/gatehouse-bench).

// bench/peer/bench.ts is the bench's side of the peers, not part of either server.
const SKIPPED = new Set(["node_modules", ".next", "bench.ts"]);

function sourceFiles(dir: string, prefix = ""): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .flatMap((entry) => {
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? sourceFiles(dir, relative) : [relative];
    })
    .sort();
}

/** A hash of the peer's sources (lockfile included) and of Node's version. */
export function peerHash(source: string): string {
  const hash = createHash("sha256").update(process.version);
  for (const file of sourceFiles(source)) hash.update(`\0${file}\0`).update(readFileSync(path.join(source, file)));
  return hash.digest("hex").slice(0, 16);
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error(`${what} failed in ${cwd}`);
}

/** The folder holding the installed (and, with `build`, built) peer: reused when its sources are unchanged. */
export function installedPeer(source: string, build: boolean, log: (message: string) => void): { dir: string; seconds: number } {
  const cache = process.env.BENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gatehouse-bench");
  const prefix = `${path.basename(source)}-`;
  const dir = path.join(cache, prefix + peerHash(source));
  if (existsSync(path.join(dir, ".built"))) {
    log(`${path.basename(source)}: reusing ${dir}`);
    return { dir, seconds: 0 };
  }
  const started = performance.now();
  log(`${path.basename(source)}: npm ci${build ? " and next build" : ""} in ${dir} (sources changed or first run)`);
  mkdirSync(cache, { recursive: true });
  const staging = `${dir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of sourceFiles(source)) cpSync(path.join(source, file), path.join(staging, file), { recursive: true });
  run("npm", ["ci", "--no-audit", "--no-fund"], staging, "npm ci");
  if (build) run(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"], staging, "next build");
  writeFileSync(path.join(staging, ".built"), new Date().toISOString() + "\n");
  // Older builds of this peer go (and staging folders of runs that died); the new one takes their place.
  const ours = new RegExp(`^${prefix}[0-9a-f]{16}(\\.\\d+)?$`);
  for (const old of readdirSync(cache).filter((entry) => ours.test(entry) && entry !== path.basename(staging))) {
    rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  renameSync(staging, dir);
  return { dir, seconds: Math.round((performance.now() - started) / 1000) };
}
