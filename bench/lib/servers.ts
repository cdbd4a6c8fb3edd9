import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// The processes a bench run starts: a throwaway PostgreSQL (as .ci/run starts
// one) and app servers, each in its own process group so stopping one stops
// everything it spawned.

export interface Postgres {
  url: (database: string) => string;
  logFile: string;
  /** The postmaster: every backend of the cluster is its child. */
  pid(): number;
  sql(database: string, statement: string): string;
  stop(): void;
}

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error("PostgreSQL is not installed (apt-get install postgresql): --full needs it");
  return path.join(root, newest, "bin");
}

export function startPostgres(port: number): Postgres {
  const bin = postgresBin();
  const data = mkdtempSync(path.join(tmpdir(), "gatehouse-bench-pg-"));
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asPostgres.length) chownSync(data, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
  const run = (command: string, args: string[]) => {
    const [head, ...rest] = [...asPostgres, command, ...args];
    execFileSync(head!, rest, { stdio: "pipe" });
  };
  const logFile = path.join(data, "server.log");
  run(path.join(bin, "initdb"), ["-D", data, "-U", "gatehouse", "--auth=trust"]);
  run(path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    `-p ${port} -k /tmp -c listen_addresses=localhost -c fsync=off -c max_connections=200`,
    "-l",
    logFile,
    "-w",
    "start",
  ]);
  const url = (database: string) => `postgresql://gatehouse@localhost:${port}/${database}`;
  return {
    url,
    logFile,
    pid: () => Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]),
    sql: (database, statement) =>
      execFileSync(path.join(bin, "psql"), ["-qAt", "-h", "localhost", "-p", String(port), "-U", "gatehouse", "-d", database, "-c", statement]).toString(),
    stop() {
      try {
        run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(data, { recursive: true, force: true });
      }
    },
  };
}

export interface AppServer {
  name: string;
  url: string;
  /** The process that serves requests (its RSS is the app's memory). */
  serverPid(): number;
  /** The started process, root of everything the app runs (its CPU is the tree's). */
  rootPid: number;
  log: () => string;
  stop(): Promise<void>;
}

/** Starts `command` in its own process group, waits until `healthPath` answers 200. */
export async function startApp(options: {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  healthPath: string;
  /** How to find the serving process from the started one: "self", or its newest node descendant. */
  server: "self" | "child";
  timeoutMs: number;
}): Promise<AppServer> {
  let output = "";
  const child: ChildProcess = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on("data", (chunk: Buffer) => void (output = (output + chunk.toString()).slice(-20_000)));
  const url = `http://localhost:${options.port}`;
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited during startup:\n${output}`);
    const ok = await fetch(url + options.healthPath)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL");
      throw new Error(`${options.name} did not start within ${options.timeoutMs / 1000}s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const serverPid = () => (options.server === "self" ? child.pid! : (newestNodeDescendant(child.pid!) ?? child.pid!));
  return {
    name: options.name,
    url,
    serverPid,
    rootPid: child.pid!,
    log: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function newestNodeDescendant(pid: number): number | null {
  let found: number | null = null;
  const visit = (p: number) => {
    for (const c of childrenOf(p)) {
      const cmd = readFileSync(`/proc/${c}/cmdline`, "utf8");
      if (cmd.startsWith(process.execPath) || cmd.startsWith("node")) found = c;
      visit(c);
    }
  };
  visit(pid);
  return found;
}

/** Resident memory of a process, MB. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
  return line ? Math.round(Number(line[1]) / 1024) : NaN;
}
