import "server-only";
import { deliverDueWebhooks, type WebhookDeliveryOptions } from "./worker";

// The delivery worker of every server instance (lib/server/startup.ts), like
// the mail worker: it polls, and while passes come back with work it keeps
// going. Instances share the work through the claim (./worker.ts); none is
// special, and killing any of them loses nothing.

export const POLL_INTERVAL_MS = 1_000;

export interface WebhookWorker {
  stop(): Promise<void>;
}

export function startWebhookWorker(options: WebhookDeliveryOptions & { intervalMs?: number; log?: (message: string) => void } = {}): WebhookWorker {
  const intervalMs = options.intervalMs ?? POLL_INTERVAL_MS;
  const log = options.log ?? ((message: string) => console.log(`[gatehouse webhooks] ${message}`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = async () => {
    try {
      for (;;) {
        const report = await deliverDueWebhooks(options);
        if (report.paused) log(`paused ${report.paused} endpoint(s) after a day of failures`);
        if (stopped || report.claimed === 0 || report.delivered + report.skipped === 0) break;
      }
    } catch (error) {
      log(`pass failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        if (!stopped) schedule(intervalMs);
      });
    }, delay);
    timer.unref();
  };
  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

const globalKey = Symbol.for("gatehouse.webhook-worker");
type GlobalWithWorker = typeof globalThis & { [globalKey]?: WebhookWorker };

/** The server process's own worker, started once however many bundles import this. */
export function startInProcessWebhookWorker(): WebhookWorker {
  const holder = globalThis as GlobalWithWorker;
  holder[globalKey] ??= startWebhookWorker();
  return holder[globalKey];
}
