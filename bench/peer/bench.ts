import { spawnSync } from "node:child_process";
import path from "node:path";
import { SoftAuthenticator, type SoftCredential } from "../../tests/support/soft-authenticator";
import { Browser } from "../lib/browser";
import { measuredLoad } from "../lib/cpu";
import { runLoad, type LoadResult } from "../lib/load";
import { installedPeer } from "../lib/peer-install";
import type { ScenarioRun } from "../lib/report";
import { startApp, type AppServer } from "../lib/servers";

// Better Auth's side of the bench, through its HTTP API as its client library
// calls it. Its key step is its passkey sign-in (options, then the signed
// answer: the session cookie comes with the second response); its full key
// login is email + password, then the passkey. Two servers of it:
// - "better-auth-next": mounted in Next.js 16 (bench/peer-next, `next start`),
//   what a Next.js user would pick instead: the fair peer;
// - "better-auth": bare node:http (bench/peer/server.mjs), the framework-free reference.

export type PeerKind = "better-auth" | "better-auth-next";

export interface PeerOptions {
  kind: PeerKind;
  root: string;
  port: number;
  databaseUrl: string;
  /** The postmaster of the cluster the peer uses, for its CPU. */
  postgresPid: () => number;
  levels: number[];
  seconds: number;
  users?: number;
  log: (message: string) => void;
}

const PASSWORD = "bench-password-0123";
const SESSION_COOKIE = "better-auth.session_token";

interface PeerUser {
  email: string;
  key: SoftCredential;
}

async function call(browser: Browser, method: "GET" | "POST", endpoint: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = method === "GET" ? await browser.get(`/api/auth${endpoint}`) : await browser.json(`/api/auth${endpoint}`, body);
  if (answer.status !== 200) throw new Error(`peer ${endpoint}: HTTP ${answer.status} ${answer.text.slice(0, 160)}`);
  return (answer.body ?? {}) as Record<string, unknown>;
}

async function passkeySignIn(browser: Browser, authenticator: SoftAuthenticator, user: PeerUser): Promise<void> {
  const options = await call(browser, "GET", "/passkey/generate-authenticate-options");
  const response = authenticator.assert(user.key, String(options.challenge));
  await call(browser, "POST", "/passkey/verify-authentication", { response });
  if (!browser.cookie(SESSION_COOKIE)) throw new Error("peer passkey sign-in: no session cookie");
}

async function startBare(options: PeerOptions, install: { seconds: number }): Promise<AppServer> {
  const { dir, seconds } = installedPeer(path.join(options.root, "bench", "peer"), false, options.log);
  install.seconds = seconds;
  options.log(`starting Better Auth (bare node:http) on ${options.port}`);
  return startApp({
    name: "better-auth",
    command: process.execPath,
    args: [path.join(dir, "server.mjs")],
    cwd: dir,
    env: { ...process.env, PORT: String(options.port), DATABASE_URL: options.databaseUrl, NODE_ENV: "production" },
    port: options.port,
    healthPath: "/health",
    server: "self",
    timeoutMs: 120_000,
  });
}

async function startNext(options: PeerOptions, build: { seconds: number }): Promise<AppServer> {
  const { dir, seconds } = installedPeer(path.join(options.root, "bench", "peer-next"), true, options.log);
  build.seconds = seconds;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port),
    DATABASE_URL: options.databaseUrl,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const migrated = spawnSync(process.execPath, [path.join(dir, "migrate.mjs")], { cwd: dir, env, stdio: "inherit" });
  if (migrated.status !== 0) throw new Error("Better Auth's migrations (bench/peer-next/migrate.mjs) failed");
  options.log(`starting Better Auth in Next.js (next start) on ${options.port}`);
  return startApp({
    name: "better-auth-next",
    command: process.execPath,
    args: [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(options.port)],
    cwd: dir,
    env,
    port: options.port,
    healthPath: "/api/auth/ok",
    server: "child",
    timeoutMs: 120_000,
  });
}

/** The peer's scenarios, and the seconds spent installing and building it (0 when a cached build was reused). */
export async function runPeer(options: PeerOptions): Promise<{ scenarios: ScenarioRun[]; buildSeconds: number }> {
  const build = { seconds: 0 };
  const app = options.kind === "better-auth-next" ? await startNext(options, build) : await startBare(options, build);
  const probe = { serverPid: () => app.rootPid, postgresPid: options.postgresPid };
  try {
    const origin = app.url;
    const authenticator = new SoftAuthenticator({ rpId: "localhost", origin });
    const count = options.users ?? Math.max(...options.levels);
    options.log(`seeding ${count} ${options.kind} users with a passkey each`);
    const users: PeerUser[] = [];
    for (let i = 0; i < count; i += 1) {
      const browser = new Browser(origin);
      const email = `user-${i}@peer.bench`;
      await call(browser, "POST", "/sign-up/email", { email, password: PASSWORD, name: `Peer user ${i}` });
      const creation = await call(browser, "GET", "/passkey/generate-register-options");
      const { response, credential } = authenticator.register(String(creation.challenge), { attestation: "none", authenticatorAttachment: "cross-platform" });
      await call(browser, "POST", "/passkey/verify-registration", { response, name: "bench key" });
      users.push({ email, key: credential });
    }
    const own = (worker: number, concurrency: number) => users.filter((_, index) => index % concurrency === worker);
    const keyStep = (c: number) => async (worker: number, i: number) => {
      const mine = own(worker, c);
      await passkeySignIn(new Browser(origin), authenticator, mine[i % mine.length]!);
    };
    const fullLogin = (c: number) => async (worker: number, i: number) => {
      const mine = own(worker, c);
      const user = mine[i % mine.length]!;
      const browser = new Browser(origin);
      await call(browser, "POST", "/sign-in/email", { email: user.email, password: PASSWORD });
      await passkeySignIn(browser, authenticator, user);
    };
    const passwordLogin = (c: number) => async (worker: number, i: number) => {
      const mine = own(worker, c);
      await call(new Browser(origin), "POST", "/sign-in/email", { email: mine[i % mine.length]!.email, password: PASSWORD });
    };

    await runLoad(2, 1500, fullLogin(2)); // warm-up
    const scenarios: ScenarioRun[] = [];
    for (const [name, iteration] of [
      ["key step (verified password → session)", keyStep],
      ["password login", passwordLogin],
      ["full key login (password → key → session)", fullLogin],
    ] as const) {
      const results: LoadResult[] = [];
      for (const c of options.levels) {
        options.log(`${options.kind}: ${name}, c=${c}`);
        results.push(await measuredLoad(probe, c, options.seconds * 1000, iteration(c)));
      }
      scenarios.push({ scenario: name, app: options.kind, results });
    }
    return { scenarios, buildSeconds: build.seconds };
  } finally {
    await app.stop();
  }
}
