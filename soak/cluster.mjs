// What the soak runs and breaks: a throwaway PostgreSQL (as .ci/run starts
// one) and Gatehouse instances of the production build (scripts/server.mjs,
// what `npm start` serves), each in its own process group so a `kill -9`
// takes exactly that instance.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

function findPgBin() {
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(a) - Number(b));
  if (versions.length === 0) throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): apt-get install postgresql");
  return path.join(base, versions.at(-1), "bin");
}

export class ThrowawayPostgres {
  constructor({ port }) {
    this.port = port;
    this.bin = findPgBin();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-soak-pg-"));
    // initdb refuses to run as root: the postgres user owns the cluster then.
    this.asPg = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    if (this.asPg.length) spawnSync("chown", ["postgres", this.dir]);
  }

  #run(tool, args) {
    const [command, ...prefix] = this.asPg.length ? [...this.asPg, path.join(this.bin, tool)] : [path.join(this.bin, tool)];
    const result = spawnSync(command, [...prefix, ...args], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
  }

  get url() {
    return `postgresql://gatehouse@localhost:${this.port}/postgres`;
  }

  start() {
    this.#run("initdb", ["-D", this.dir, "-U", "gatehouse", "--auth=trust"]);
    this.#pgctl("start");
  }

  #pgctl(verb, extra = []) {
    const options = `-p ${this.port} -k /tmp -c listen_addresses=localhost -c fsync=off -c max_connections=200`;
    this.#run("pg_ctl", ["-D", this.dir, "-o", options, "-l", path.join(this.dir, "server.log"), "-w", verb, ...extra]);
  }

  /** The fault: `pg_ctl restart -m fast` (open connections are cut, the server comes back). */
  restart() {
    this.#pgctl("restart", ["-m", "fast"]);
  }

  stop() {
    try {
      this.#pgctl("stop", ["-m", "immediate"]);
    } catch {
      // already gone
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class Instance {
  /**
   * @param {{ name: string, port: number, root: string, env: Record<string,string>, logDir: string }} options
   */
  constructor({ name, port, root, env, logDir }) {
    Object.assign(this, { name, port, root, env });
    this.logFile = path.join(logDir, `${name}.log`);
    this.starts = 0;
  }

  start() {
    const log = fs.openSync(this.logFile, "a");
    this.starts++;
    this.child = spawn(process.execPath, [path.join(this.root, "scripts", "server.mjs"), "--port", String(this.port)], {
      cwd: this.root,
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ["ignore", log, log],
      detached: true,
    });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child.once("exit", resolve));
  }

  async waitHealthy(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited during startup (see ${this.logFile})`);
      if (await this.healthy()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${this.name} did not become healthy within ${timeoutMs / 1000} s (see ${this.logFile})`);
  }

  async healthy() {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/api/health`, { signal: AbortSignal.timeout(5_000) });
      return response.ok;
    } catch {
      return false;
    }
  }

  /** The fault: SIGKILL to the whole process group, no chance to clean up. */
  async kill9() {
    try {
      process.kill(-this.child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => this.kill9(), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
