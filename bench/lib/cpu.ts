import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { round, runLoad, type Iteration, type LoadResult } from "./load";

export type { CpuPerLogin } from "./load";

// CPU per login: what the server's processes and the PostgreSQL backends spent
// during a measured window, read from /proc before and after it and divided by
// the logins it completed. Unlike throughput, the load generator sharing the
// machine cannot inflate it much (it only adds scheduling noise).

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** CPU milliseconds so far of `pid` and every live descendant, including their reaped children. */
export function treeCpuMs(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, "utf8");
    } catch {
      return; // exited since it was listed: its time now sits in its parent's cutime/cstime
    }
    // After "pid (comm) ": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    for (const child of childrenOf(p)) visit(child);
  };
  visit(pid);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  // Children hang off the thread that forked them: read every thread's list.
  return tasks.flatMap((task) => {
    try {
      return readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * CPU milliseconds so far of each PostgreSQL backend serving a client (not the checkpointer, background writer
 * or autovacuum, whose work after the big org's bulk load would land on whichever app is measured then), by pid.
 */
export function backendCpuMs(postmasterPid: number): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of childrenOf(postmasterPid)) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!/^postgres: \S+ \S+ (\S+\(\d+\)|\[local\])/.test(command)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    } catch {
      // exited since it was listed
    }
  }
  return cpu;
}

/** CPU the backends spent between two readings: a backend that started since counts from zero (one that exited is lost). */
function backendDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

export interface CpuProbe {
  /** The processes to count: the app's process tree root and the postmaster (null on PGlite). */
  serverPid: () => number;
  postgresPid: (() => number) | null;
}

/** `runLoad`, with the CPU each side spent during it divided by the completed logins. */
export async function measuredLoad(probe: CpuProbe, concurrency: number, durationMs: number, iteration: Iteration): Promise<LoadResult> {
  const serverPid = probe.serverPid();
  const postgresPid = probe.postgresPid?.() ?? null;
  const before = { server: treeCpuMs(serverPid), db: postgresPid ? backendCpuMs(postgresPid) : new Map(), client: clientCpuMs() };
  const result = await runLoad(concurrency, durationMs, iteration);
  const after = { server: treeCpuMs(serverPid), db: postgresPid ? backendCpuMs(postgresPid) : new Map(), client: clientCpuMs() };
  const per = (ms: number) => (result.ok ? round(ms / result.ok, 2) : NaN);
  const server = per(after.server - before.server);
  const db = postgresPid ? per(backendDelta(before.db, after.db)) : null;
  result.cpu = { server, db, total: round(server + (db ?? 0), 2), client: per(after.client - before.client) };
  return result;
}

function clientCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
