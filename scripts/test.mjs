#!/usr/bin/env node
// `npm test`: the static checks (typecheck, lint, import cycles, formatting), then
// unit and integration tests (vitest), then a production build and the e2e suite
// in Chromium (Playwright). Integration and e2e use a fresh embedded PGlite, or
// fresh PostgreSQL databases when TEST_DATABASE_URL is set.
// Flags: --e2e-only (no checks, no vitest), --no-e2e, --skip-build,
// --no-checks (skip the static checks for a quick local run), --integration-only
// (of vitest, only the integration project: the tests that use a database).
// Other arguments are e2e spec files to run instead of all of them.
// The build goes to .next-e2e (NEXT_DIST_DIR overrides it) and is stamped with
// the sources' fingerprint, so `npm start` with the same dist directory reuses it.
// SKIP_FORMAT_CHECK=1 skips only the formatting check.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sourceFingerprint, stampBuild } from "./source-fingerprint.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = new Set(process.argv.slice(2).filter((arg) => arg.startsWith("--")));
// Anything else names e2e specs to run (`npm run test:e2e -- tests/e2e/accounts.spec.ts`).
const specs = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);
const distDir = process.env.NEXT_DIST_DIR || ".next-e2e";

/** Runs a step; a failure throws, so `finally` blocks (the e2e database's cleanup) still run. */
function run(label, command, commandArgs, env = {}) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) throw new StepFailed(label, result.status ?? 1);
}

class StepFailed extends Error {
  constructor(label, status) {
    super(`✖ ${label} failed`);
    this.status = status;
  }
}

/** Typecheck, lint, cycle check and format check: all run, then any failure fails the suite, naming each. */
function staticChecks() {
  const checks = [
    ["typecheck", "typecheck (tsc --noEmit)", [bin("typescript", "bin/tsc"), "--noEmit"]],
    ["lint", "lint (eslint .)", [bin("eslint", "bin/eslint.js"), "."]],
    ["import cycles", "import cycles (npm run check:cycles)", [path.join(root, "scripts", "check-cycles.mjs")]],
  ];
  const skipFormat = process.env.SKIP_FORMAT_CHECK === "1";
  if (!skipFormat) {
    const label = "format check (prettier --check .; `npm run format` fixes it, SKIP_FORMAT_CHECK=1 skips it)";
    checks.push(["format check", label, [bin("prettier", "bin/prettier.cjs"), "--check", "."]]);
  }
  const failed = [];
  for (const [name, label, checkArgs] of checks) {
    try {
      run(label, process.execPath, checkArgs);
    } catch (error) {
      if (!(error instanceof StepFailed)) throw error;
      failed.push(name);
    }
  }
  if (skipFormat) console.log("\n▶ format check (prettier --check .) skipped: SKIP_FORMAT_CHECK=1");
  if (failed.length > 0) throw new StepFailed(`static checks (${failed.join(", ")})`, 1);
}

async function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  try {
    const { chromium } = await import("@playwright/test");
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright's own browser is optional.
  }
  const found = candidates.find((candidate) => candidate && fs.existsSync(candidate));
  if (found) return found;
  if (process.getuid?.() === 0 && spawnSync("which", ["apt-get"]).status === 0) {
    console.log("Chromium not found: installing Debian's chromium with apt-get…");
    run("apt-get update", "apt-get", ["update"]);
    run("apt-get install chromium", "apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { DEBIAN_FRONTEND: "noninteractive" });
    if (fs.existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  }
  console.error("No Chromium found: install it (sudo apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary.");
  process.exit(1);
}

/** A fresh database for the e2e server: a new PostgreSQL database, or a new PGlite directory. */
async function e2eDatabase() {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-e2e-"));
    // The second e2e server (playwright.config.ts) keeps its own embedded database beside it.
    const cleanup = async () => [dir, `${dir}-trusted-roots`].forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    return { env: { E2E_PGLITE_DIR: dir }, cleanup };
  }
  const { default: pg } = await import("pg");
  const name = `gatehouse_e2e_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { E2E_DATABASE_URL: url.toString() },
    cleanup: async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

const database = process.env.TEST_DATABASE_URL ? "PostgreSQL (TEST_DATABASE_URL)" : "embedded PGlite";
console.log(`Gatehouse test suite on ${database}`);

async function main() {
  if (!args.has("--e2e-only")) {
    if (args.has("--no-checks")) console.log("\n▶ static checks skipped (--no-checks)");
    else staticChecks();
    if (args.has("--integration-only")) {
      run("integration tests (vitest --project integration)", process.execPath, [bin("vitest", "vitest.mjs"), "run", "--project", "integration"]);
    } else {
      run("unit and integration tests (vitest)", process.execPath, [bin("vitest", "vitest.mjs"), "run"]);
    }
  }
  if (!args.has("--no-e2e")) {
    const chromium = await findChromium();
    if (!args.has("--skip-build")) {
      const fingerprint = sourceFingerprint(root);
      run(`production build for e2e (next build into ${distDir})`, process.execPath, [bin("next", "dist/bin/next"), "build"], {
        NEXT_DIST_DIR: distDir,
        NEXT_TELEMETRY_DISABLED: "1",
      });
      stampBuild(root, distDir, fingerprint);
    }
    const db = await e2eDatabase();
    try {
      run(`e2e tests in ${chromium} (Playwright)`, process.execPath, [bin("@playwright/test", "cli.js"), "test", ...specs], {
        ...db.env,
        CHROMIUM_PATH: chromium,
        NEXT_DIST_DIR: distDir,
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1",
      });
    } finally {
      await db.cleanup();
    }
  }
  console.log("\n✔ all tests passed");
}

main().catch((error) => {
  console.error(error instanceof StepFailed ? error.message : error);
  process.exit(error instanceof StepFailed ? error.status : 1);
});
