import "server-only";
import { execute, ts } from "../db/sql";
import { env } from "../env";
import type { VerificationActivity } from "../verification/history";
import { SECURITY_EVENT_TYPES, type SecurityEventType } from "./types";

// Retention (DESIGN.md section 10; issue 24 item 12): history does not grow
// without bound. Each event type belongs to a retention class; a sweep deletes
// what is older than its class keeps, in bounded batches, together with the
// history rows the event wrote (Login History, Identity Verification History,
// Setup Audit Trail: their ids are the event's, lib/events/projections.ts).
// Every instance sweeps on its own timer: deletes are idempotent, so several
// instances sweeping at once only repeat each other's no-ops. Readers of the
// event stream who ask for a cursor older than retention get 410 (DESIGN.md
// section 13) from whatever serves them.

export type RetentionClass = "activity" | "changes";

/** Sign-in activity: many rows, each worth little after months. Everything else is a change to an account or the org. */
export function retentionClassOf(type: SecurityEventType): RetentionClass {
  return type.startsWith("user.login.") || type.startsWith("user.verification.") ? "activity" : "changes";
}

const ACTIVITY_TYPES = SECURITY_EVENT_TYPES.filter((t) => retentionClassOf(t) === "activity");
/** The Identity Verification History activities of the activity class: what a login, a device activation or "verify it's you" writes. */
const ACTIVITY_VERIFICATIONS: readonly VerificationActivity[] = ["Login", "Device activation", "Re-authentication", "Prove email for enrolment"];
const CHANGE_TYPES = SECURITY_EVENT_TYPES.filter((t) => retentionClassOf(t) === "changes");

/** Rows deleted per statement: a sweep never holds a long lock or a long transaction. */
const BATCH = 5_000;
/** Statements per table per sweep; what is left waits for the next sweep. */
const MAX_BATCHES = 20;

export interface RetentionSweep {
  securityEvents: number;
  loginAttempts: number;
  verificationEvents: number;
  auditEvents: number;
  emailMessages: number;
}

async function deleteInBatches(sql: string, params: unknown[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i += 1) {
    const deleted = await execute(sql, params);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

const cutoff = (now: Date, days: number) => ts(new Date(now.getTime() - days * 86_400_000));

/** One pass of the retention rules. Returns how many rows of each kind it deleted. */
export async function sweepRetention(now = new Date()): Promise<RetentionSweep> {
  const config = env();
  const activity = cutoff(now, config.RETENTION_DAYS_ACTIVITY);
  const byAge = (table: string, extra = "") =>
    `DELETE FROM "${table}" WHERE "id" IN (SELECT "id" FROM "${table}" WHERE "createdAt" < $1::timestamp ${extra} LIMIT ${BATCH}) RETURNING 1`;
  const result: RetentionSweep = { securityEvents: 0, loginAttempts: 0, verificationEvents: 0, auditEvents: 0, emailMessages: 0 };

  result.securityEvents += await deleteInBatches(byAge("SecurityEvent", `AND "type" = ANY($2::text[])`), [activity, ACTIVITY_TYPES]);
  result.loginAttempts += await deleteInBatches(byAge("LoginAttempt"), [activity]);
  // Identity Verification History holds both classes: sign-in verifications go with activity, the rest
  // (a key registered or removed, a password changed...) stay as long as changes do.
  result.verificationEvents += await deleteInBatches(byAge("VerificationEvent", `AND "activity" = ANY($2::text[])`), [activity, ACTIVITY_VERIFICATIONS]);
  // Only mail that is done with: never a message still queued, sending or waiting for a retry.
  result.emailMessages += await deleteInBatches(byAge("EmailMessage", `AND "state" IN ('SENT', 'FAILED', 'FOLDED')`), [
    cutoff(now, config.RETENTION_DAYS_EMAIL),
  ]);
  if (config.RETENTION_DAYS_CHANGES > 0) {
    const changes = cutoff(now, config.RETENTION_DAYS_CHANGES);
    result.securityEvents += await deleteInBatches(byAge("SecurityEvent", `AND "type" = ANY($2::text[])`), [changes, CHANGE_TYPES]);
    result.auditEvents += await deleteInBatches(byAge("AuditEvent"), [changes]);
    result.verificationEvents += await deleteInBatches(byAge("VerificationEvent"), [changes]);
  }
  return result;
}

const SWEEP_EVERY_MS = 60 * 60_000;
let timer: NodeJS.Timeout | null = null;

/** Sweeps a minute after startup and then hourly, in the background; a failed sweep is logged and tried again next time. */
export function startRetentionSweeper(log: (message: string) => void): void {
  if (timer) return;
  const run = () =>
    void sweepRetention().then(
      (swept) => {
        const total = Object.values(swept).reduce((a, b) => a + b, 0);
        if (total > 0)
          log(
            `retention: deleted ${Object.entries(swept)
              .map(([k, v]) => `${v} ${k}`)
              .join(", ")}`,
          );
      },
      (error: unknown) => console.error("[gatehouse] retention sweep failed", error),
    );
  timer = setTimeout(function tick() {
    run();
    timer = setTimeout(tick, SWEEP_EVERY_MS).unref();
  }, 60_000).unref();
}
