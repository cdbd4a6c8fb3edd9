import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// The Next.js peer (bench/peer-next) is installed and built once per version
// of its sources, in a cache outside the repository: `next build` is the slow
// part (~1 min on 2 vCPU), a fresh clone with the same sources (CI) reuses it,
// and the project's tsc, eslint and prettier never meet its output.
// BENCH_CACHE overrides the cache folder (default ~/.cache/gatehouse-bench).

const SKIPPED = new Set(["node_modules", ".next"]);

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
export function peerNextHash(source: string): string {
  const hash = createHash("sha256").update(process.version);
  for (const file of sourceFiles(source)) hash.update(`\0${file}\0`).update(readFileSync(path.join(source, file)));
  return hash.digest("hex").slice(0, 16);
}

function run(command: string, args: string[], cwd: string, what: string): void {
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) throw new Error(`${what} failed in ${cwd}`);
}

/** The folder holding the built peer: reused when its sources are unchanged, built otherwise. */
export function builtPeerNext(source: string, log: (message: string) => void): { dir: string; built: boolean; seconds: number } {
  const cache = process.env.BENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "gatehouse-bench");
  const name = `peer-next-${peerNextHash(source)}`;
  const dir = path.join(cache, name);
  if (existsSync(path.join(dir, ".built"))) {
    log(`Better Auth in Next.js: reusing the build in ${dir}`);
    return { dir, built: false, seconds: 0 };
  }
  const started = performance.now();
  log(`Better Auth in Next.js: npm ci and next build in ${dir} (sources changed or first run)`);
  mkdirSync(cache, { recursive: true });
  const staging = `${dir}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const file of sourceFiles(source)) cpSync(path.join(source, file), path.join(staging, file), { recursive: true });
  run("npm", ["ci", "--no-audit", "--no-fund"], staging, "npm ci (bench/peer-next)");
  run(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"], staging, "next build (bench/peer-next)");
  writeFileSync(path.join(staging, ".built"), new Date().toISOString() + "\n");
  // Older builds of the peer go; the new one takes their place.
  for (const old of readdirSync(cache).filter((entry) => entry.startsWith("peer-next-") && entry !== path.basename(staging))) {
    rmSync(path.join(cache, old), { recursive: true, force: true });
  }
  renameSync(staging, dir);
  return { dir, built: true, seconds: Math.round((performance.now() - started) / 1000) };
}
