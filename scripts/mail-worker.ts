// `npm run mail:worker`: delivers the outbox in a process of its own, for
// deployments that keep mail apart from the app instances (set MAIL_WORKER=off
// on those). Any number may run against one PostgreSQL: each message is
// claimed by exactly one worker. Stops cleanly on SIGINT/SIGTERM.
import { database } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { startMailWorker } from "../lib/email/runner";
import { assertMailConfigured, mailboxEnabled } from "../lib/email/transport";
import { env } from "../lib/env";

async function main(): Promise<void> {
  const config = env();
  assertMailConfigured(config);
  const { raw, kind } = database();
  await migrate(raw);
  const worker = startMailWorker();
  console.log(`[gatehouse mail] worker started on ${kind}; ${mailboxEnabled(config) ? "keeping mail for /dev/mailbox" : "delivering over SMTP_URL"}`);

  // The worker's own timer never holds the process open; this does, until a signal.
  const keepAlive = setInterval(() => undefined, 60_000);
  const shutdown = async (signal: string) => {
    console.log(`[gatehouse mail] ${signal}: finishing the current pass`);
    clearInterval(keepAlive);
    await worker.stop();
    await database().close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`[gatehouse mail] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
