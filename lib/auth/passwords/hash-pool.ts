import "server-only";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { AsyncLocalStorage } from "node:async_hooks";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { env } from "../../env";

// Argon2id runs on worker threads of its own, one per core, each at a lower
// CPU priority (nice 19 on Linux). A burst of password logins then uses every
// idle core, but whenever the event loop (a key's signature check, a page) or
// the database wants a core, the kernel's scheduler gives it that core first:
// password hashing does not make a key step wait. On libuv's pool at normal
// priority, one client's key step beside 8 password logins took 2.6× its time
// alone, with hashing already held to one core. The price: while the event
// loop and the database keep every core busy, hashing gets next to nothing
// and password logins queue; a server in that state is overloaded anyway.
//
// The workers start at the first hash and keep the process alive only while
// they hash. After HASH_POOL_IDLE_SECONDS without a hash (default 15) they stop,
// giving back their memory (each thread is a V8 isolate: two of them hold
// ~15 MB, a tenth of an idle server's); the next hash starts them again,
// which costs that one login a few tens of milliseconds. If they cannot start, or one
// dies, hashing falls back to the library's async calls on libuv's pool, and
// calls in flight are re-run there: a login never fails because of the pool.
//
// Waiting hashes queue in lanes (one per org: ../login/admission.ts runs each
// admitted check in its lane), served in turn, one hash per lane per turn. One
// org's flood fills its own lane, and another org's login waits for a free
// thread, not behind the flood's queue: with a single queue it waited behind up
// to PASSWORD_CHECKS_PER_ORG of the flood's hashes (65 -> 1,771 ms p50 in the
// bench's cross-org flood).

/** The lane the hashes started in this async context queue in (unset: "other"). */
export const hashLane = new AsyncLocalStorage<string>();

export interface Argon2Options {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  outputLen: number;
}

export type Argon2Job = { op: "hash"; password: string; options: Argon2Options } | { op: "verify"; password: string; hash: string };

export const HASH_THREAD_NICE = 19;

// Plain CommonJS evaluated in each worker. The library is resolved from this
// module's own file (workerData.from). The worker lowers its own thread's
// priority: on Linux, setpriority on a thread id affects that thread only.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const argon2 = require("node:module").createRequire(workerData.from)("@node-rs/argon2");
let tid = null;
try {
  tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  require("node:os").setPriority(tid, workerData.nice);
} catch {}
parentPort.postMessage({ ready: tid });
parentPort.on("message", ({ id, job }) => {
  try {
    const result = job.op === "hash" ? argon2.hashSync(job.password, job.options) : argon2.verifySync(job.hash, job.password);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message ? error.message : error) });
  }
});
`;

interface Call {
  job: Argon2Job;
  lane: string;
  resolve: (value: string | boolean) => void;
  reject: (error: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  current: (Call & { id: number }) | null;
  tid: number | null;
  /** Stopped because the pool was idle: its exit is expected. */
  retired: boolean;
}

let workers: PoolWorker[] | null = null;
let disabled = false;
let nextId = 1;
/** Waiting calls by lane; the Map's order is the turn order (a lane served goes to the back). */
const lanes = new Map<string, Call[]>();
let queued = 0;

function enqueue(call: Call): void {
  const lane = lanes.get(call.lane);
  if (lane) lane.push(call);
  else lanes.set(call.lane, [call]);
  queued += 1;
}

/** The next call: the first of the lane whose turn it is. */
function dequeue(): Call | undefined {
  for (const [name, lane] of lanes) {
    const call = lane.shift();
    lanes.delete(name);
    if (lane.length > 0) lanes.set(name, lane);
    if (call) {
      queued -= 1;
      return call;
    }
  }
  return undefined;
}

function drain(): Call[] {
  const all = [...lanes.values()].flat();
  lanes.clear();
  queued = 0;
  return all;
}
let idleTimer: NodeJS.Timeout | null = null;

const idleMs = () => env().HASH_POOL_IDLE_SECONDS * 1000;

// Hashes that run on libuv's pool (the fallback here, legacy scrypt checks in
// password.ts) run one at a time: that pool is the one WebCrypto's signature
// checks share.
let libuvHashRunning = false;
const libuvHashWaiting: Array<() => void> = [];

export async function oneHashOnLibuvPool<T>(work: () => Promise<T>): Promise<T> {
  if (libuvHashRunning) await new Promise<void>((resolve) => libuvHashWaiting.push(resolve));
  else libuvHashRunning = true;
  try {
    return await work();
  } finally {
    const next = libuvHashWaiting.shift();
    if (next) next();
    else libuvHashRunning = false;
  }
}

function fallback(job: Argon2Job): Promise<string | boolean> {
  return oneHashOnLibuvPool<string | boolean>(() => (job.op === "hash" ? argon2Hash(job.password, job.options) : argon2Verify(job.hash, job.password)));
}

function start(): PoolWorker[] {
  return Array.from({ length: availableParallelism() }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { from: import.meta.url, nice: HASH_THREAD_NICE } });
    const entry: PoolWorker = { worker, current: null, tid: null, retired: false };
    worker.on("message", (message: { ready?: number | null; id?: number; result?: string | boolean; error?: string }) => {
      if ("ready" in message) {
        entry.tid = message.ready ?? null;
        return;
      }
      const call = entry.current;
      if (!call || call.id !== message.id) return;
      entry.current = null;
      // Idle workers never keep the process alive; a busy one does, as the library's own async call would.
      worker.unref();
      if (message.error !== undefined) call.reject(new Error(message.error));
      else call.resolve(message.result!);
      dispatch();
      retireWhenIdle();
    });
    worker.on("error", (error) => console.error("password hashing: a worker failed; hashing on libuv's pool from now on", error));
    worker.on("exit", () => {
      if (!entry.retired) abandonPool();
    });
    // After the listeners: adding a "message" listener refs the worker's port again.
    worker.unref();
    return entry;
  });
}

/** A worker died: every call in flight or queued is re-run on the fallback, and the pool is not used again. */
function abandonPool(): void {
  if (!workers) return;
  const stranded = [...workers.flatMap((w) => (w.current ? [w.current] : [])), ...drain()];
  for (const entry of workers) {
    entry.current = null; // a late answer from it is ignored: the call is re-run below
    void entry.worker.terminate();
  }
  workers = null;
  disabled = true;
  for (const call of stranded) fallback(call.job).then(call.resolve, call.reject);
}

/** Once nothing is queued or running, the workers stop after idleMs() unless a hash comes first. */
function retireWhenIdle(): void {
  if (idleTimer || !workers || queued > 0 || workers.some((w) => w.current)) return;
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (!workers || queued > 0 || workers.some((w) => w.current)) return;
    const idle = workers;
    workers = null;
    for (const entry of idle) {
      entry.retired = true;
      void entry.worker.terminate();
    }
  }, idleMs());
  // The timer never holds the process: a script that hashed may exit at once.
  idleTimer.unref();
}

function dispatch(): void {
  for (const entry of workers ?? []) {
    if (entry.current) continue;
    const call = dequeue();
    if (!call) return;
    entry.current = { ...call, id: nextId++ };
    entry.worker.ref();
    entry.worker.postMessage({ id: entry.current.id, job: call.job });
  }
}

/** Runs one Argon2 call on the low-priority pool (or, without one, on libuv's pool). */
export function runArgon2(job: Argon2Job): Promise<string | boolean> {
  if (idleTimer) {
    clearTimeout(idleTimer);
    idleTimer = null;
  }
  if (!workers && !disabled) {
    try {
      workers = start();
    } catch (error) {
      console.error("password hashing: no worker threads; hashing on libuv's pool", error);
      disabled = true;
    }
  }
  if (!workers) return fallback(job);
  return new Promise((resolve, reject) => {
    enqueue({ job, lane: hashLane.getStore() ?? "other", resolve, reject });
    dispatch();
  });
}

/** The pool's worker threads as the kernel knows them (tests): Linux thread ids, once each worker has started. */
export function hashPoolThreadIds(): (number | null)[] {
  return workers?.map((w) => w.tid) ?? [];
}
