// `npm run db:migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
// with the SQL that brings a database migrated to the current history up to
// prisma/schema.prisma. `--check` writes nothing and exits 2 when the schema
// and the migrations disagree (used by the test suite).
//
// Prisma's shadow-database diff (--from-migrations) does not work through the
// PGlite adapter, so we migrate a scratch PGlite with our own runner,
// introspect it and diff that against the schema, all on the WebAssembly
// schema engine. No network, no native binaries.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";

function prisma(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [path.join("scripts", "prisma.mjs"), ...args], { encoding: "utf8", env });
}

/**
 * `prisma db pull --print` through the PGlite adapter prints the schema but
 * never exits (the CLI does not dispose the adapter), so we stop it once its
 * output has been quiet for two seconds.
 */
function introspect(env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Its own process group, so stopping it also stops the CLI under our wrapper.
    const child = spawn(process.execPath, [path.join("scripts", "prisma.mjs"), "db", "pull", "--print"], { env, detached: true });
    let stdout = "";
    let stderr = "";
    let quiet: NodeJS.Timeout | undefined;
    const done = (status: number) => {
      clearTimeout(quiet);
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already exited
      }
      resolve({ status, stdout, stderr });
    };
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      clearTimeout(quiet);
      if (stdout.includes("generator client")) quiet = setTimeout(() => done(0), 2000);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) => done(code ?? 1));
  });
}

function fail(result: { stdout: string; stderr: string }): number {
  console.error(result.stderr || result.stdout);
  return 1;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const name = args.find((a) => !a.startsWith("--"));
  if (!check && !/^[a-z0-9_]+$/.test(name ?? "")) {
    console.error("Usage: npm run db:migration -- <name_in_snake_case>   (or --check)");
    return 1;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-diff-"));
  try {
    const database = openDatabase({ dataDir: scratch });
    await migrate(database.raw);
    await database.close();

    // Introspect the scratch database, then diff that datamodel against ours.
    const env = { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: scratch };
    const pulled = await introspect(env);
    if (pulled.status !== 0) return fail(pulled);
    const current = path.join(scratch, "migrated.prisma");
    fs.writeFileSync(current, pulled.stdout.slice(pulled.stdout.indexOf("generator client")));
    const result = prisma(["migrate", "diff", "--from-schema-datamodel", current, "--to-schema-datamodel", "prisma/schema.prisma", "--script"], {
      ...env,
      PGLITE_DATA_DIR: "memory://",
    });
    if (result.status !== 0) return fail(result);
    const sql = result.stdout.trim();
    const empty = sql === "" || /^-- This is an empty migration\.?$/.test(sql);
    if (check) {
      if (empty) return 0;
      console.error(`prisma/schema.prisma has changes no migration contains:\n${sql}`);
      return 2;
    }
    if (empty) {
      console.log("The migrations already match prisma/schema.prisma: nothing to write.");
      return 0;
    }
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join("prisma", "migrations", `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "migration.sql"), `${sql}\n`);
    console.log(`Wrote ${dir}/migration.sql — review it, then run npm run prisma -- generate.`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(`${scratch}.pid`, { force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
