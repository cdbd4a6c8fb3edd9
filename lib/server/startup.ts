import "server-only";
import { database, reopenDatabase } from "../db/client";
import { migrate } from "../db/migrate";
import { startInProcessMailWorker } from "../email/runner";
import { assertMailConfigured, mailboxEnabled } from "../email/transport";
import { authSecret, env } from "../env";
import { startRetentionSweeper } from "../events/retention";
import { seedDemoData } from "../orgs/demo-data";
import { startRequirementReminders } from "../policy/requirement-reminders";
import { attestationTrust, describeTrust } from "../webauthn/trust/store";
import { startInProcessWebhookWorker } from "../webhooks/runner";

/**
 * Runs once per server process, before the first request: checks the
 * configuration, applies pending migrations (PGlite and PostgreSQL alike),
 * seeds the demo orgs into a brand-new embedded database (in the
 * embedded-mailbox demo only, unless GATEHOUSE_SEED_DEMO=true), starts the
 * mail worker and the hourly retention sweep (lib/events/retention.ts).
 */
export async function startServer(): Promise<void> {
  const config = env();
  authSecret(); // a deployment without AUTH_SECRET stops here, with the reason
  assertMailConfigured(); // and one without SMTP_URL
  const trust = attestationTrust(); // and a bad FIDO_MDS_FILE or ATTESTATION_ROOTS_FILE, naming the variable and the reason
  log(describeTrust(trust));
  const { raw, kind } = database();
  const applied = await migrate(raw);
  log(`database: ${kind}; ${applied.length ? `applied ${applied.join(", ")}` : "migrations up to date"}`);
  // Their password is public: never into PostgreSQL, nor into a server that sends real mail unless asked.
  let seeded = false;
  if (kind === "pglite" && config.seedDemoData) {
    const outcome = await seedDemoData();
    seeded = outcome.seeded;
    if (outcome.seeded) log(`seeded demo orgs Acme and Globex (${outcome.users.join(", ")}); password in README`);
  }
  // What migrating and seeding grew of the embedded database's memory is given back before the first request.
  if (kind === "pglite" && (applied.length > 0 || seeded)) {
    await reopenDatabase();
    log("database: reopened on a fresh worker thread after migrating and seeding (their memory given back)");
  }
  if (config.MAIL_WORKER === "on") {
    startInProcessMailWorker();
    log(mailboxEnabled() ? `mail: kept for ${config.APP_URL}/dev/mailbox (set SMTP_URL to send it)` : "mail: delivering over SMTP_URL");
  } else {
    log("mail: MAIL_WORKER=off, delivery left to `npm run mail:worker`");
  }
  startRetentionSweeper(log);
  // Hourly too: a week and a day before a role's "Security key only", its users without a key are reminded (once each).
  startRequirementReminders(log);
  // Every instance delivers webhooks: the endpoints are shared out by their claim (lib/webhooks/worker.ts).
  startInProcessWebhookWorker();
  log(`ready at ${config.APP_URL}`);
}

function log(message: string) {
  console.log(`[gatehouse] ${message}`);
}

/** startServer, and a configuration or database failure stops the process with its reason. */
export async function startServerOrExit(): Promise<void> {
  try {
    await startServer();
  } catch (error) {
    console.error(`[gatehouse] startup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
