import "server-only";
import type { Db } from "../db/client";
import { configuredTransport, type MailTransport } from "./transport";
import { deliverDueEmails } from "./worker";

export const POLL_INTERVAL_MS = 2_000;
const BATCH_SIZE = 10;

export interface MailWorker {
  /** Runs a pass now instead of at the next poll (e.g. right after a commit queued mail). */
  wake(): void;
  /** Stops polling and waits for the pass in progress. */
  stop(): Promise<void>;
}

export interface MailWorkerOptions {
  transport?: MailTransport;
  db?: Db;
  intervalMs?: number;
  log?: (message: string) => void;
}

/**
 * Polls the outbox until stopped. Its timer is unref'd, so a worker never
 * keeps a process (tests, a build, a script) alive on its own.
 */
export function startMailWorker(options: MailWorkerOptions = {}): MailWorker {
  const transport = options.transport ?? configuredTransport();
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const log = options.log ?? ((message: string) => console.log(`[gatehouse mail] ${message}`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const pass = async () => {
    try {
      // Keep going while batches come back full: a backlog drains without waiting for the poll.
      for (;;) {
        const report = await deliverDueEmails({ transport, db: options.db, batchSize: BATCH_SIZE });
        if (report.sent || report.retrying || report.failed) {
          log(`sent ${report.sent}, will retry ${report.retrying}, failed ${report.failed}`);
        }
        if (stopped || report.claimed < BATCH_SIZE) break;
      }
    } catch (error) {
      // A database hiccup: log it and try again at the next poll.
      log(`pass failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const tick = () => {
    timer = undefined;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass().finally(() => {
      running = undefined;
      if (stopped) return;
      schedule(again ? 0 : intervalMs);
      again = false;
    });
  };

  const schedule = (delay: number) => {
    clearTimeout(timer);
    timer = setTimeout(tick, delay);
    timer.unref();
  };

  schedule(0);
  return {
    wake: () => {
      if (!stopped) schedule(0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      transport.close();
    },
  };
}

const globalKey = Symbol.for("gatehouse.mail-worker");
type GlobalWithWorker = typeof globalThis & { [globalKey]?: MailWorker };

/** The server process's own worker, started once however many bundles import this. */
export function startInProcessMailWorker(): MailWorker {
  const holder = globalThis as GlobalWithWorker;
  holder[globalKey] ??= startMailWorker();
  return holder[globalKey];
}

/** Nudges the in-process worker, if this process runs one; a no-op elsewhere. */
export function wakeMailWorker(): void {
  (globalThis as GlobalWithWorker)[globalKey]?.wake();
}
