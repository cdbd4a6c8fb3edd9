import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import pg from "pg";

// The embedded database runs on a worker thread of its own: PGlite (Postgres
// compiled to WebAssembly) executes each statement synchronously, so in the
// server's event loop every query stalled every request. The worker serves it
// over PostgreSQL's wire protocol on a Unix socket in a private (0700)
// directory, and the app talks to it with the same pg Pool and PrismaPg as to
// PostgreSQL: one driver for both databases.
//
// @electric-sql/pglite-socket does the same, but each release pins an exact
// PGlite (0.2.18: 0.5.15) and seven extension packages as peers; the few lines
// it takes for our one client are below.
//
// PGlite is one session: one transaction at a time, prepared statements and
// settings shared by every connection. So the pool holds one connection (pg
// queues the rest), the worker serves one connection at a time, and when a
// connection ends the session is reset (a transaction left open is rolled
// back, DISCARD ALL) before the next one starts.

// Plain CommonJS evaluated in the worker; PGlite is resolved from this module's own file (workerData.from).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const net = require("node:net");
const { PGlite } = require("node:module").createRequire(workerData.from)("@electric-sql/pglite");
const SSL_REQUEST = 80877103;
createClusterApart(workerData.dataDir);
const lite = new PGlite(workerData.dataDir, { startParams: [...PGlite.defaultStartParams, ...workerData.startParams] });

// A data directory without a database yet: PGlite creates its cluster (initdb) in a short-lived child process, beside
// it, and the result is renamed into place. Created in this thread, it leaves a ~34 MB malloc arena resident for the
// server's life (a very first npm start idled at 252 MB, against 227 with the cluster made apart). If the child
// fails, PGlite creates it here, as before.
function createClusterApart(dataDir) {
  const fs = require("node:fs");
  const path = require("node:path");
  if (dataDir.startsWith("memory://") || fs.existsSync(path.join(dataDir, "PG_VERSION"))) return;
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) return;
  const staging = dataDir.replace(/[\\/]+$/, "") + ".creating-" + process.pid;
  const create =
    'const { PGlite } = require("node:module").createRequire(process.argv[1])("@electric-sql/pglite");' +
    "const lite = new PGlite(process.argv[2]); lite.waitReady.then(() => lite.close()).catch((e) => { console.error(e); process.exit(1); });";
  try {
    fs.rmSync(staging, { recursive: true, force: true });
    const child = require("node:child_process").spawnSync(process.execPath, ["-e", create, workerData.from, staging], { stdio: ["ignore", "ignore", "pipe"], timeout: 300000 });
    if (child.status !== 0 || !fs.existsSync(path.join(staging, "PG_VERSION"))) throw new Error(String(child.stderr || child.error || "no cluster").trim());
    if (fs.existsSync(dataDir)) fs.rmdirSync(dataDir);
    fs.renameSync(staging, dataDir);
  } catch (error) {
    console.error("embedded database: creating it in a child process failed, so this thread creates it:", error.message || error);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
let queue = Promise.resolve();
// Every call into PGlite, one after another; one that fails does not stop the next.
function inOrder(work) {
  const run = queue.then(work);
  queue = run.catch(() => undefined);
  return run;
}
const waiting = [];
let current = null;
let closing = false;

function serve(socket) {
  current = socket;
  let pending = Buffer.alloc(0);
  let started = false;
  socket.setNoDelay(true);
  socket.on("data", (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    const messages = [];
    for (;;) {
      // The startup packet has no type byte; every later message has one.
      const lengthAt = started ? 1 : 0;
      if (pending.length < lengthAt + 4) break;
      const size = lengthAt + pending.readInt32BE(lengthAt);
      if (pending.length < size) break;
      if (!started && pending.readInt32BE(4) === SSL_REQUEST) {
        socket.write("N"); // no TLS on a private socket: pg then sends the startup packet
      } else {
        messages.push(pending.subarray(0, size));
        started = true;
      }
      pending = pending.subarray(size);
    }
    if (!messages.length) return;
    const batch = new Uint8Array(Buffer.concat(messages));
    inOrder(() =>
      // A chunk is a view of PGlite's memory, reused for the next one: copied, as the socket may send it later.
      lite.execProtocolRawStream(batch, { onRawData: (chunk) => socket.writable && socket.write(Buffer.from(chunk)) }),
    ).catch((error) => {
      console.error("embedded database:", error);
      socket.destroy();
    });
  });
  socket.on("error", () => undefined);
  socket.on("close", () => {
    inOrder(async () => {
      if (closing) return;
      if (lite.isInTransaction()) await lite.exec("ROLLBACK");
      await lite.exec("DISCARD ALL");
    })
      .catch((error) => console.error("embedded database: resetting the session failed:", error))
      .then(() => {
        current = null;
        const next = waiting.shift();
        if (next) serve(next), next.resume();
      });
  });
}

const server = net.createServer({ pauseOnConnect: true }, (socket) => {
  if (current) return void waiting.push(socket);
  serve(socket);
  socket.resume();
});

lite.waitReady.then(
  () => server.listen(workerData.socketPath, () => parentPort.postMessage({ ready: true })),
  (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }),
);

parentPort.on("message", (message) => {
  if (message !== "close") return;
  closing = true;
  server.close();
  for (const socket of [current, ...waiting]) socket?.destroy();
  inOrder(() => lite.close()).then(
    () => parentPort.postMessage({ closed: true }),
    (error) => parentPort.postMessage({ closed: true, error: String(error) }),
  );
});
`;

export interface PgliteWorker {
  /** A pg Pool on the worker's database (one connection: see above). */
  pool: pg.Pool;
  /** Ends the pool, closes PGlite cleanly (its data directory consistent) and stops the worker. */
  close(): Promise<void>;
}

type WorkerMessage = { ready?: true; error?: string; closed?: true };

/** Starts PGlite on `dataDir` in a worker thread; `startParams` are added to PGlite's defaults. */
export function startPgliteWorker(dataDir: string, startParams: string[]): PgliteWorker {
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-pglite-"));
  const removeSocketDir = () => fs.rmSync(socketDir, { recursive: true, force: true });
  process.once("exit", removeSocketDir);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { from: import.meta.url, dataDir, startParams, socketPath: path.join(socketDir, ".s.PGSQL.5432") },
  });
  let closing = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: WorkerMessage) => {
      if (message.ready) {
        // Running, the worker does not keep the process alive: a script that never closes its database still ends.
        worker.unref();
        resolve();
      } else if (message.error && !message.closed) reject(new Error(`embedded database: ${message.error}`));
    });
    worker.on("error", (error) => {
      console.error("embedded database: the worker failed", error);
      reject(error);
    });
    worker.once("exit", (code) => {
      reject(new Error(`embedded database: worker stopped (exit code ${code})`));
      if (!closing) console.error(`embedded database: the worker stopped unexpectedly (exit code ${code})`);
    });
  });
  ready.catch(() => undefined); // reported to the first connection
  const pool = new pg.Pool({
    Client: clientAfter(ready),
    host: socketDir,
    user: "postgres",
    database: "postgres",
    max: 1,
    // The one connection stays open, and does not keep the process alive while idle.
    idleTimeoutMillis: 0,
    allowExitOnIdle: true,
  });
  pool.on("error", (error) => console.warn(`database: embedded connection lost (${error.message})`));
  return {
    pool,
    async close() {
      closing = true;
      await pool.end().catch(() => undefined);
      worker.ref();
      const closed = new Promise<void>((resolve) => {
        worker.on("message", (message: WorkerMessage) => {
          if (message.closed) resolve();
        });
        worker.once("exit", () => resolve());
      });
      worker.postMessage("close");
      await closed;
      await worker.terminate();
      process.removeListener("exit", removeSocketDir);
      removeSocketDir();
    },
  };
}

/** pg's Client, connecting once the worker listens (or failing with the reason it could not start). */
function clientAfter(ready: Promise<void>): typeof pg.Client {
  return class extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (error: Error) => void): void;
    override connect(callback?: (error: Error) => void): Promise<pg.Client> | void {
      const connected = ready.then(() => super.connect()).then(() => this);
      if (!callback) return connected;
      connected.then(() => callback(null as unknown as Error), callback);
    }
  };
}
