// `npm run bench` — Gatehouse under load, through its real HTTP flows.
//
//   npm run bench                    quick: embedded PGlite, c = 1 and 8, about a minute (after the first build)
//   npm run bench -- --full [--peer] throwaway PostgreSQL, c = 1, 8 and 32, every figure; --peer adds Better Auth
//                                    (mounted in Next.js, the fair peer, and bare node:http, the reference)
//   npm run bench -- --smoke         seconds: checks the harness still runs, both peers included; no thresholds
//   … --readme                       also writes this run's tables into README.md ("Performance")
//
// Results go to bench/results/<mode>/ (results.json, results.md, results.svg).
// Every measured window also reads the CPU the app's processes and the
// PostgreSQL cluster spent (lib/cpu.ts): ms per login beside throughput.
// Ratios between figures of one run are what to compare: absolute numbers
// move with whatever else the machine is doing.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importCredential, type SeedFile } from "./lib/seed-file";
import { GatehouseClient, fullKeyLogin, keyStep, loadPage, passwordLogin, passwordStep, PENDING_COOKIE, SoftAuthenticator } from "./lib/gatehouse";
import { measuredLoad, type CpuProbe } from "./lib/cpu";
import { explainPages } from "./lib/explain";
import { addPeerFigures, cpuText } from "./lib/figures";
import { round, runLoad, timeInterleaved, type LoadResult } from "./lib/load";
import { machineDescription, writeReport, type BenchReport, type Figure } from "./lib/report";
import { rssMb, startApp, startPostgres, type AppServer, type Postgres } from "./lib/servers";
import { rawHashRate } from "./lib/hash-rate";
import { embeddedRss, embeddedRssFigures } from "./lib/embedded-rss";
import { crossOrgFlood, floodFigure, floodServerEnv } from "./lib/flood";
import { compressedKb, measurePageScripts, pageScriptsText } from "./lib/page-weight";
import { runPeer, type PeerKind } from "./peer/bench";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const mode = argv.includes("--smoke") ? "smoke" : argv.includes("--full") ? "full" : "quick";
// The smoke runs both peers too (on a throwaway PostgreSQL), so that their harness cannot rot.
const withPeer = argv.includes("--peer") || mode === "smoke";
const CONFIG = {
  smoke: { levels: [2], seconds: 1, users: 2, bigUsers: 300, bigHistory: 3000, pageLoads: 3, perUser: 60, rssWaitS: 0, idleS: 3, floodUsers: 200 },
  quick: { levels: [1, 8], seconds: 4, users: 8, bigUsers: 5000, bigHistory: 50000, pageLoads: 15, perUser: 150, rssWaitS: 15, idleS: 30, floodUsers: 1000 },
  full: {
    levels: [1, 8, 32],
    seconds: 10,
    users: 32,
    bigUsers: 200_000,
    bigHistory: 2_000_000,
    pageLoads: 30,
    perUser: 250,
    rssWaitS: 60,
    idleS: 30,
    floodUsers: 2000,
  },
}[mode];
// The other org's logins are timed beside a flood of this many attackers (lib/flood.ts).
const FLOOD_CONCURRENCY = 32;
// For quick experiments: BENCH_LEVELS=1,8 BENCH_SECONDS=3 BENCH_BIG=5000,50000 (big org users, login-history rows) override the mode's.
if (process.env.BENCH_LEVELS) CONFIG.levels = process.env.BENCH_LEVELS.split(",").map(Number);
if (process.env.BENCH_SECONDS) CONFIG.seconds = Number(process.env.BENCH_SECONDS);
if (process.env.BENCH_BIG) [CONFIG.bigUsers, CONFIG.bigHistory] = process.env.BENCH_BIG.split(",").map(Number) as [number, number];
const PORT = Number(process.env.BENCH_PORT ?? 3600);
const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 55450);
const APP_URL = `http://localhost:${PORT}`;
const AUTH_SECRET = "bench-secret-0123456789abcdef0123456789abcdef";
const tsxCli = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
// For profiling one path: BENCH_ONLY=key-step,password,full,beside,pages,sql,js,rss,flood,embedded runs only those phases.
const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim());
const want = (phase: string) => !only || only.includes(phase);
const SQL_LOGINS = 5;

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function runSeed(args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, [tsxCli, "--conditions=react-server", path.join(root, "bench", "seed.ts"), ...args], {
    cwd: root,
    env,
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error(`seed.ts ${args[0]} failed`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), "gatehouse-bench-"));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(work, { recursive: true, force: true })];
  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      mode,
      database: mode === "full" ? "PostgreSQL (throwaway, fsync off)" : "embedded PGlite",
      machine: machineDescription(),
      node: process.version,
      note: "Rate limiting stays on in Gatehouse (its limits count failures; every bench login succeeds); see the peer for its setting.",
    },
    scenarios: [],
    figures: [],
  };
  try {
    let pg: Postgres | null = null;
    const dbEnv: Record<string, string> = {};
    if (mode === "full" || withPeer) {
      log(`starting PostgreSQL on ${PG_PORT}${mode === "full" ? "" : " (for the peers; Gatehouse runs on PGlite in this mode)"}`);
      pg = startPostgres(PG_PORT);
      const started = pg;
      cleanups.push(() => started.stop());
    }
    // Gatehouse's own database: the throwaway PostgreSQL in --full, PGlite otherwise.
    const gatehousePg = mode === "full" ? pg : null;
    if (pg && gatehousePg) {
      pg.sql("postgres", "CREATE DATABASE gatehouse_bench");
      dbEnv.DATABASE_URL = pg.url("gatehouse_bench");
      dbEnv.SMTP_URL = "smtp://127.0.0.1:9"; // required in production; MAIL_WORKER=off sends nothing
    } else {
      dbEnv.PGLITE_DATA_DIR = path.join(work, "pglite");
    }
    const env = {
      ...process.env,
      ...dbEnv,
      APP_URL,
      NEXTAUTH_URL: APP_URL,
      AUTH_SECRET,
      MAIL_WORKER: "off",
      GATEHOUSE_SEED_DEMO: "false",
      NEXT_TELEMETRY_DISABLED: "1",
      // The load generator is one address standing in for many clients of one org: each client's share of the password
      // checks (lib/auth/login/admission.ts) would otherwise cap it at 2 in flight. The instance-wide gate still applies.
      PASSWORD_CHECKS_PER_IP: "1000",
      PASSWORD_CHECKS_PER_IPV6_48: "1000",
      PASSWORD_CHECKS_PER_ORG: "1000",
      PASSWORD_LOGIN_SUCCESSES_PER_IP: "1000000",
    };

    log(`seeding (${CONFIG.users * 2} users, big org ${CONFIG.bigUsers} users / ${CONFIG.bigHistory} login-history rows)`);
    const seedPath = path.join(work, "seed.json");
    const pendingPath = path.join(work, "pending.json");
    runSeed(
      [
        "seed",
        seedPath,
        ...["--users", String(CONFIG.users), "--big-users", String(CONFIG.bigUsers), "--big-history", String(CONFIG.bigHistory)],
        ...["--flood-users", String(CONFIG.floodUsers)],
      ],
      env,
    );
    // PGlite is one process's: pending logins are minted before the server opens it.
    if (!gatehousePg) runSeed(["mint", seedPath, pendingPath, "--per-user", String(CONFIG.perUser)], env);
    const seed = JSON.parse(readFileSync(seedPath, "utf8")) as SeedFile;

    log("starting Gatehouse (npm start; builds first when the sources changed)");
    const app = await startGatehouse(env);
    cleanups.push(() => app.stop());
    const rssStart = rssMb(app.serverPid());

    if (gatehousePg) runSeed(["mint", seedPath, pendingPath, "--per-user", String(CONFIG.perUser)], env);
    seed.pending = JSON.parse(readFileSync(pendingPath, "utf8")) as Record<string, string[]>;
    // The big org's bulk load leaves dirty buffers: written now, not by the checkpointer during a measured window.
    if (gatehousePg) gatehousePg.sql("postgres", "CHECKPOINT");
    const probe: CpuProbe = { serverPid: () => app.rootPid, postgresPid: gatehousePg ? () => gatehousePg.pid() : null };
    // The full run reads the idle RSS after two more starts of the same server: the target holds in every one of three.
    const restart = gatehousePg && want("rss") ? () => startGatehouse(env) : null;
    await benchGatehouse(app, seed, report, gatehousePg, rssStart, probe, restart);
    await app.stop();
    if (want("flood")) await benchFlood(seed, report, env);
    // The embedded database is what `npm start` gives a new user: the quick bench's (and the smoke's), not the full one's.
    if (mode !== "full" && want("embedded")) {
      const rss = await embeddedRss({ root, port: PORT, env, idleSeconds: CONFIG.idleS, log });
      report.figures.push(...embeddedRssFigures(rss, CONFIG.idleS));
    }

    if (withPeer && pg) {
      const cluster = pg;
      const peers: Array<[PeerKind, number]> = [
        ["better-auth-next", PORT + 2],
        ["better-auth", PORT + 1],
      ];
      for (const [kind, port] of peers) {
        const started = performance.now();
        const database = kind.replaceAll("-", "_") + "_bench";
        cluster.sql("postgres", `CREATE DATABASE ${database}`);
        const peer = await runPeer({
          kind,
          root,
          port,
          databaseUrl: cluster.url(database),
          postgresPid: () => cluster.pid(),
          levels: CONFIG.levels,
          seconds: CONFIG.seconds,
          log,
        });
        report.scenarios.push(...peer.scenarios);
        const seconds = Math.round((performance.now() - started) / 1000);
        report.meta.peers = { ...report.meta.peers, [kind]: { seconds, buildSeconds: peer.buildSeconds } };
        log(`${kind}: ${seconds} s in all${peer.buildSeconds ? `, of which ${peer.buildSeconds} s installing and building it` : ""}`);
      }
      addPeerFigures(report, CONFIG.levels);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch((error: unknown) => console.warn("cleanup:", error));
  }
  const files = writeReport(path.join(root, "bench", "results", mode), report);
  console.log(readFileSync(files[1]!, "utf8"));
  // --readme: this run's tables become README's "Performance" figures (between the bench:full markers).
  if (argv.includes("--readme")) {
    const readme = path.join(root, "README.md");
    const text = readFileSync(readme, "utf8");
    const table = `${readFileSync(files[1]!, "utf8").trim()}\n\n![Throughput and latency by concurrency](bench/results/${mode}/results.svg)`;
    writeFileSync(readme, text.replace(/(<!-- bench:full:start -->\n)[\s\S]*?(<!-- bench:full:end -->)/, `$1${table}\n$2`));
    // In the house format (Prettier aligns the table columns), so `prettier --check .` stays green.
    spawnSync(process.execPath, [path.join(root, "node_modules", "prettier", "bin", "prettier.cjs"), "--write", readme], { stdio: "inherit" });
    log("README.md updated");
  }
  log(`wrote ${files.map((f) => path.relative(root, f)).join(", ")}`);
}

/** Gatehouse as `npm start` runs it (or, with BENCH_CPU_PROF=<dir>, the server itself under --cpu-prof; the build must exist). */
function startGatehouse(env: NodeJS.ProcessEnv): Promise<AppServer> {
  const profileDir = process.env.BENCH_CPU_PROF;
  return startApp({
    name: "gatehouse",
    command: process.execPath,
    args: profileDir
      ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, path.join(root, "scripts", "server.mjs"), "--port", String(PORT)]
      : [path.join(root, "scripts", "start.mjs"), "--port", String(PORT)],
    cwd: root,
    env,
    port: PORT,
    healthPath: "/api/health",
    server: profileDir ? "self" : "child",
    timeoutMs: 15 * 60_000,
  });
}

async function benchGatehouse(
  app: AppServer,
  seed: SeedFile,
  report: BenchReport,
  pg: Postgres | null,
  rssStart: number,
  probe: CpuProbe,
  restart: (() => Promise<AppServer>) | null,
): Promise<void> {
  const authenticator = new SoftAuthenticator({ rpId: new URL(APP_URL).hostname, origin: APP_URL });
  const keyUsers = seed.users.filter((u) => u.credential).map((u) => ({ ...u, key: importCredential(u.credential!) }));
  const passwordUsers = seed.users.filter((u) => !u.credential);
  const password = seed.password;
  const ownUsers = <T>(users: T[], worker: number, concurrency: number) => users.filter((_, index) => index % concurrency === worker);
  const nextPending = (username: string) => {
    const token = seed.pending[username]?.shift();
    if (!token) throw new Error(`out of pending logins for ${username} (raise --per-user)`);
    return token;
  };
  const scenario = (name: string, results: LoadResult[]) => report.scenarios.push({ scenario: name, app: "gatehouse", results });

  const keyStepIteration = (concurrency: number) => async (worker: number, i: number) => {
    const mine = ownUsers(keyUsers, worker, concurrency);
    const user = mine[i % mine.length]!;
    const browser = new GatehouseClient(APP_URL);
    browser.setCookie(PENDING_COOKIE, nextPending(user.username));
    await keyStep(browser, authenticator, user.key);
  };
  const passwordIteration = (concurrency: number) => async (worker: number, i: number) => {
    const mine = ownUsers(passwordUsers, worker, concurrency);
    await passwordLogin(new GatehouseClient(APP_URL), mine[i % mine.length]!.username, password);
  };
  const fullIteration = (concurrency: number) => async (worker: number, i: number) => {
    const mine = ownUsers(keyUsers, worker, concurrency);
    const user = mine[i % mine.length]!;
    await fullKeyLogin(new GatehouseClient(APP_URL), user.username, password, authenticator, user.key);
  };

  const pages = ["/setup/users", "/setup/login-history", "/setup/session-settings"];
  /**
   * Every phase's routes loaded once: full key and password logins, the Setup pages and, on the first start, a key
   * step from a minted pending login (its request count is a figure; a later start's would have lapsed by then).
   */
  const warmUp = async (first: boolean) => {
    log("warm-up");
    const counting = new GatehouseClient(APP_URL);
    if (first) {
      counting.setCookie(PENDING_COOKIE, nextPending(keyUsers[0]!.username));
      await keyStep(counting, authenticator, keyUsers[0]!.key);
    }
    await runLoad(2, 1500, fullIteration(2));
    await runLoad(2, 1500, passwordIteration(2));
    const admins = { small: new GatehouseClient(APP_URL), big: new GatehouseClient(APP_URL) };
    await passwordLogin(admins.small, seed.small.adminUsername, password);
    await passwordLogin(admins.big, seed.big.adminUsername, password);
    for (const page of pages) {
      await loadPage(admins.small, page);
      await loadPage(admins.big, page);
    }
    return { keyStepRequests: counting.requests, admins };
  };
  // Idle: warmed up (every phase's routes loaded), then no request for CONFIG.idleS seconds, as a server between
  // bursts sits (V8 shrinks its heap and the hash threads stop within that time). 3 s after the warm-up is shown too.
  const idleRss = async (server: AppServer) => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const justAfter = rssMb(server.serverPid());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, CONFIG.idleS - 3) * 1000));
    return { justAfter, idle: rssMb(server.serverPid()) };
  };
  const { keyStepRequests, admins } = await warmUp(true);
  const { justAfter: rssJustAfter, idle: rssIdle } = await idleRss(app);

  // Pending logins lapse after 10 minutes: the key-step phases come first.
  const keyStepResults: LoadResult[] = [];
  for (const c of want("key-step") ? CONFIG.levels : []) {
    log(`key step, c=${c}`);
    keyStepResults.push(await measuredLoad(probe, c, CONFIG.seconds * 1000, keyStepIteration(c)));
  }
  scenario("key step (verified password → session)", keyStepResults);

  const skipped = { concurrency: 1, durationMs: 0, ok: 0, errors: 0, perSecond: NaN, p50: NaN, p90: NaN, p99: NaN, mean: NaN } satisfies LoadResult;
  let keyAlone: LoadResult = skipped;
  let keyBeside: LoadResult = skipped;
  if (want("beside")) {
    log("key step beside 8 password logins");
    keyAlone = await measuredLoad(probe, 1, CONFIG.seconds * 1000, keyStepIteration(1));
    let passwordsBeside: LoadResult;
    [keyBeside, passwordsBeside] = await Promise.all([
      runLoad(1, CONFIG.seconds * 1000, keyStepIteration(1)),
      runLoad(Math.min(8, passwordUsers.length), CONFIG.seconds * 1000, passwordIteration(Math.min(8, passwordUsers.length))),
    ]);
    // Plotted at c=1 (alone) and c=1+8 (beside the password logins).
    scenario("key step, one client (alone, then beside 8 password logins)", [keyAlone, { ...keyBeside, concurrency: 1 + passwordsBeside.concurrency }]);
  }

  const passwordResults: LoadResult[] = [];
  for (const c of want("password") ? CONFIG.levels : []) {
    log(`password login, c=${c}`);
    passwordResults.push(await measuredLoad(probe, c, CONFIG.seconds * 1000, passwordIteration(Math.min(c, passwordUsers.length))));
  }
  scenario("password login", passwordResults);

  const fullResults: LoadResult[] = [];
  for (const c of want("full") ? CONFIG.levels : []) {
    log(`full key login, c=${c}`);
    fullResults.push(await measuredLoad(probe, c, CONFIG.seconds * 1000, fullIteration(c)));
  }
  scenario("full key login (password → key → session)", fullResults);

  log("raw Argon2id rate");
  const hash = !want("password") ? { perSecond: NaN, cpuMsPerHash: NaN } : await rawHashRate(Math.max(...CONFIG.levels), Math.min(CONFIG.seconds, 5) * 1000);
  const hashRate = hash.perSecond;

  log("Setup pages, small org vs big org");
  const pageFigures: Figure[] = [];
  for (const page of want("pages") ? pages : []) {
    const { small, big } = await timeInterleaved(CONFIG.pageLoads, 3, {
      small: () => loadPage(admins.small, page),
      big: () => loadPage(admins.big, page),
    });
    const ratio = round(big.p50 / small.p50, 2);
    pageFigures.push({ figure: `${page} p50 big ÷ small`, value: `${ratio} (${small.p50} → ${big.p50} ms)`, target: "≤ 1.2", met: ratio <= 1.2 });
  }
  if (pg && want("pages")) {
    log("EXPLAIN (ANALYZE, BUFFERS) of the big org's Setup → Users and Login History");
    const dir = path.join(root, "bench", "results", mode);
    mkdirSync(dir, { recursive: true });
    const scans = await explainPages(pg, "gatehouse_bench", [
      { name: "/setup/users", file: path.join(dir, "explain-setup-users.txt"), load: () => loadPage(admins.big, "/setup/users") },
      { name: "/setup/login-history", file: path.join(dir, "explain-login-history.txt"), load: () => loadPage(admins.big, "/setup/login-history") },
    ]);
    for (const [page, tables] of Object.entries(scans)) {
      const big = tables.filter((table) => table === "User" || table === "LoginAttempt");
      pageFigures.push({
        figure: `${page}: sequential scans of User or LoginAttempt (big org, EXPLAIN)`,
        value: big.length ? big.join(", ") : "none",
        target: "none",
        met: big.length === 0,
      });
    }
  }

  let sqlPerLogin: number | null = null;
  if (pg && want("sql")) {
    const user = keyUsers[0]!;
    pg.sql("postgres", "ALTER SYSTEM SET log_statement = 'all'");
    pg.sql("postgres", "SELECT pg_reload_conf()");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const offset = statSync(pg.logFile).size;
    // Several logins: the sweep of lapsed pending logins (at most once a minute per process) falls in one of them or none.
    for (let i = 0; i < SQL_LOGINS; i += 1) await fullKeyLogin(new GatehouseClient(APP_URL), user.username, password, authenticator, user.key);
    await new Promise((resolve) => setTimeout(resolve, 500));
    pg.sql("postgres", "ALTER SYSTEM RESET log_statement");
    pg.sql("postgres", "SELECT pg_reload_conf()");
    const logged = readFileSync(pg.logFile).subarray(offset).toString();
    const statements = logged.split("\n").filter((line) => /LOG:\s+(statement|execute)/.test(line) && !/ALTER SYSTEM|pg_reload_conf/.test(line));
    sqlPerLogin = round(statements.length / SQL_LOGINS, 1);
    mkdirSync(path.join(root, "bench", "results", mode), { recursive: true });
    writeFileSync(
      path.join(root, "bench", "results", mode, "sql-per-full-key-login.log"),
      statements.map((l) => l.replace(/^.*?LOG:\s+/, "")).join("\n") + "\n",
    );
  }

  const rssAfterLoad = rssMb(app.serverPid());
  let rssLater = rssAfterLoad;
  let waited = 0;
  while (waited < CONFIG.rssWaitS && rssLater > 400) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    waited += 5;
    rssLater = rssMb(app.serverPid());
  }

  // After the memory figures: Chromium's requests are not what the server's memory is measured after.
  const scriptFigures: Figure[] = [];
  if (want("js")) {
    log("JavaScript a browser downloads for /login and /verify (Chromium, cold)");
    // /verify asks for the key only with a pending login whose password was checked (its cookie).
    const pending = new GatehouseClient(APP_URL);
    await passwordStep(pending, keyUsers[0]!.username, password);
    const verifyCookie = pending.cookie(PENDING_COOKIE);
    const loads = await measurePageScripts(APP_URL, [{ path: "/login" }, { path: "/verify", cookies: verifyCookie ? { [PENDING_COOKIE]: verifyCookie } : {} }]);
    for (const load of loads) {
      const kb = compressedKb(load);
      scriptFigures.push({
        figure: `JavaScript downloaded on the first load of ${load.path}${load.path === "/verify" ? " (a pending login's key prompt)" : ""}, KB compressed`,
        value: `${kb} (${pageScriptsText(load)})`,
        target: "reported; ≤ 150",
        met: load.finalPath === load.path ? kb <= 150 : null,
      });
    }
  }

  // Two more starts of the same server, each warmed up and left idle as the first was.
  const idleRuns = [rssIdle];
  if (restart) {
    await app.stop();
    for (let run = 2; run <= 3; run += 1) {
      log(`RSS idle, start ${run} of 3`);
      const again = await restart();
      try {
        await warmUp(false);
        idleRuns.push((await idleRss(again)).idle);
      } finally {
        await again.stop();
      }
    }
  }

  const at = (results: LoadResult[], c: number) => results.find((r) => r.concurrency === c);
  const c8 = Math.min(8, Math.max(...CONFIG.levels));
  const passwordAt8 = at(passwordResults, c8)?.perSecond ?? NaN;
  const cores = availableParallelism();
  const besideRatio = round(keyBeside.p50 / keyAlone.p50, 2);
  const besideTarget = pg ? 1.5 : 2;
  // One password login hashes once: what the server and the database spend besides that hash.
  const passwordCpu = at(passwordResults, c8)?.cpu?.total ?? NaN;
  const nonHash = passwordCpu - hash.cpuMsPerHash;
  const rssIdleTarget = pg ? 150 : 250;
  report.figures.push(
    { figure: "HTTP requests in the key step", value: String(keyStepRequests), target: "≤ 2", met: keyStepRequests <= 2 },
    { figure: `key step logins/s, c=${c8}`, value: String(at(keyStepResults, c8)?.perSecond), target: "–", met: null },
    { figure: `key step CPU ms per login (server + database), c=${c8}`, value: cpuText(at(keyStepResults, c8)), target: "–", met: null },
    { figure: `full key login logins/s, c=${c8}`, value: String(at(fullResults, c8)?.perSecond), target: "–", met: null },
    {
      figure: `password logins/s per vCPU, c=${c8}`,
      value: `${round(passwordAt8 / cores)} (${passwordAt8}/s on ${cores})`,
      target: "≥ 30",
      met: passwordAt8 / cores >= 30,
    },
    {
      figure: `password logins ÷ raw Argon2id rate, c=${c8}`,
      value: `${round(passwordAt8 / hashRate, 2)} (raw ${hashRate}/s)`,
      target: "≥ 0.75",
      met: passwordAt8 / hashRate >= 0.75,
    },
    {
      figure: `non-hash CPU per password login ÷ the hash's own CPU, c=${c8}`,
      value: `${round(nonHash / hash.cpuMsPerHash, 2)} (${passwordCpu} ms − ${hash.cpuMsPerHash} ms Argon2id = ${round(nonHash, 2)} ms)`,
      target: "≤ 0.35",
      met: nonHash / hash.cpuMsPerHash <= 0.35,
    },
    {
      figure: `key-step p50 beside 8 password logins ÷ alone (${pg ? "PostgreSQL" : "embedded PGlite"})`,
      value: `${besideRatio} (${keyAlone.p50} → ${keyBeside.p50} ms)`,
      target: `≤ ${besideTarget}`,
      met: besideRatio <= besideTarget,
    },
    {
      figure: `SQL statements per full key login (mean of ${SQL_LOGINS})`,
      value: sqlPerLogin === null ? "not measured (PGlite)" : String(sqlPerLogin),
      target: "≤ 15",
      met: sqlPerLogin === null ? null : sqlPerLogin <= 15,
    },
    ...pageFigures,
    { figure: "RSS after start, MB", value: String(rssStart), target: "–", met: null },
    { figure: "RSS 3 s after warm-up, MB", value: String(rssJustAfter), target: "–", met: null },
    {
      figure: `RSS idle (warmed up, then ${CONFIG.idleS} s without a request), MB${idleRuns.length > 1 ? `, ${idleRuns.length} starts` : ""}`,
      value: idleRuns.join(" / "),
      target: `≤ ${rssIdleTarget}${idleRuns.length > 1 ? " in every start" : ""}`,
      met: idleRuns.every((rss) => rss <= rssIdleTarget),
    },
    {
      figure: "RSS after load → later, MB",
      value: `${rssAfterLoad} → ${rssLater} (${waited} s later)`,
      target: "< 400 within 60 s",
      met: CONFIG.rssWaitS >= 60 || rssLater <= 400 ? rssLater <= 400 : null,
    },
    ...scriptFigures,
  );
}

/**
 * Another org's password logins, alone and during one org's flood (lib/flood.ts), on a server of their own with
 * the production defaults for admission (the bench's main server raises them for its one-address load generator)
 * and one trusted proxy hop, so that every attacker and every user has an address of their own.
 */
async function benchFlood(seed: SeedFile, report: BenchReport, env: NodeJS.ProcessEnv): Promise<void> {
  log(`another org's password logins, alone then during one org's flood (c=${FLOOD_CONCURRENCY})`);
  const app = await startApp({
    name: "gatehouse (flood)",
    command: process.execPath,
    args: [path.join(root, "scripts", "start.mjs"), "--port", String(PORT)],
    cwd: root,
    env: floodServerEnv(env),
    port: PORT,
    healthPath: "/api/health",
    server: "child",
    timeoutMs: 15 * 60_000,
  });
  try {
    const run = await crossOrgFlood({
      origin: APP_URL,
      floodUsernames: Array.from({ length: seed.flood.users }, (_, i) => `user-${i + 1}@${seed.flood.org.slug}.bench`),
      victims: seed.users.filter((u) => !u.credential).map((u) => u.username),
      password: seed.password,
      concurrency: FLOOD_CONCURRENCY,
      seconds: CONFIG.seconds,
    });
    // Plotted at c=1 (alone) and c=1+32 (during the flood), as the key step beside password logins is.
    report.scenarios.push({
      scenario: `password login, another org (alone, then during one org's flood of ${FLOOD_CONCURRENCY})`,
      app: "gatehouse",
      results: [run.alone, { ...run.during, concurrency: 1 + run.concurrency }],
    });
    report.figures.push(floodFigure(run));
  } finally {
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
