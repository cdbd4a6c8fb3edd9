import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GatehouseClient, PENDING_COOKIE, passwordStep } from "./gatehouse";
import type { Figure } from "./report";
import { rssMb, startApp } from "./servers";

// What `npm start` gives a new user: the embedded database in a new data
// directory, migrated and seeded with the demo orgs by the server itself on
// its very first start; then the same directory started again. Each time the
// server is warmed up as a newcomer would (the login page, each demo user's
// password step, /verify) and left idle before its RSS is read, as the main
// idle figure is. scripts/start.mjs is what runs, so the server gets its flags
// (--max-semi-space-size=4, --liftoff-only, MALLOC_MMAP_THRESHOLD_=131072).

/** Documented in the README, seeded by lib/orgs/demo-data.ts (not imported: it is server-only). */
const DEMO_PASSWORD = "gatehouse-demo-password";
const DEMO_USERS = ["ada@acme.test", "grace@acme.test", "hank@globex.test"];

export interface EmbeddedStart {
  /** From spawning `npm start` until /api/health answered. */
  startSeconds: number;
  rssAfterStart: number;
  rssIdle: number;
}

async function warmUp(origin: string): Promise<void> {
  for (const path of ["/login", "/signup"]) {
    const answer = await new GatehouseClient(origin).get(path);
    if (answer.status !== 200) throw new Error(`embedded warm-up: ${path} answered ${answer.status}`);
  }
  for (const username of DEMO_USERS) {
    const client = new GatehouseClient(origin);
    const next = await passwordStep(client, username, DEMO_PASSWORD);
    const page = next === "verify" && client.cookie(PENDING_COOKIE) ? "/verify" : "/home";
    const answer = await client.get(page);
    if (answer.status !== 200) throw new Error(`embedded warm-up: ${page} for ${username} answered ${answer.status}`);
  }
}

export async function embeddedRss(options: {
  root: string;
  port: number;
  /** The bench's environment; the database settings and demo switches are taken out of it. */
  env: NodeJS.ProcessEnv;
  idleSeconds: number;
  log: (message: string) => void;
}): Promise<{ first: EmbeddedStart; restart: EmbeddedStart }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-bench-embedded-"));
  const env: NodeJS.ProcessEnv = { ...options.env, PGLITE_DATA_DIR: dataDir };
  // A new user's `npm start`: no PostgreSQL, no SMTP, demo seed and mail worker at their defaults.
  for (const name of ["DATABASE_URL", "SMTP_URL", "GATEHOUSE_SEED_DEMO", "MAIL_WORKER"]) delete env[name];
  // And the admission limits at their defaults (the bench raises them for its single-address load generator).
  for (const name of Object.keys(env)) if (name.startsWith("PASSWORD_")) delete env[name];
  const once = async (): Promise<EmbeddedStart> => {
    const started = performance.now();
    const app = await startApp({
      name: "gatehouse (embedded, npm start)",
      command: process.execPath,
      args: [path.join(options.root, "scripts", "start.mjs"), "--port", String(options.port)],
      cwd: options.root,
      env,
      port: options.port,
      healthPath: "/api/health",
      server: "child",
      timeoutMs: 15 * 60_000,
    });
    try {
      const startSeconds = Math.round((performance.now() - started) / 100) / 10;
      const rssAfterStart = rssMb(app.serverPid());
      await warmUp(app.url);
      await new Promise((resolve) => setTimeout(resolve, options.idleSeconds * 1000));
      return { startSeconds, rssAfterStart, rssIdle: rssMb(app.serverPid()) };
    } finally {
      await app.stop();
    }
  };
  try {
    options.log(`embedded RSS: very first start (migrations, demo seed), warm-up, ${options.idleSeconds} s idle`);
    const first = await once();
    options.log(`embedded RSS: restart on the same data directory, warm-up, ${options.idleSeconds} s idle`);
    const restart = await once();
    return { first, restart };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function embeddedRssFigures(result: { first: EmbeddedStart; restart: EmbeddedStart }, idleSeconds: number): Figure[] {
  const figure = (when: string, run: EmbeddedStart): Figure => ({
    figure: `RSS idle on the embedded database (npm start), ${when} (warmed up, then ${idleSeconds} s without a request), MB`,
    value: `${run.rssIdle} (${run.rssAfterStart} after a start of ${run.startSeconds} s)`,
    target: "≤ 250",
    met: run.rssIdle <= 250,
  });
  return [figure("after the very first start (migrations and demo seed in-process)", result.first), figure("after a restart", result.restart)];
}
