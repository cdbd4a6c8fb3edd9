import "server-only";
import { open } from "../crypto/seal";
import { db as defaultDb } from "../db/client";
import { enqueueEmail } from "../email/outbox";
import { env } from "../env";
import { recordEvent, withEvents } from "../events/record";
import { serializeEvent } from "../events/serialize";
import { signedHeaders } from "./signing";
import { postSigned, type ResolveHost } from "./transport";

// Delivery (DESIGN.md section 13). The endpoint row is its own queue: its
// deliveredSeq is the org's last event it received (or skipped, not being of
// its types), and it is due when the org has events after that and its
// nextAttemptAt has come. A pass claims due endpoints with FOR UPDATE SKIP
// LOCKED and a lease (leaseUntil), so any number of instances run passes at
// once and each endpoint is served by one of them at a time; a worker killed
// mid-send leaves a lease that lapses, and the next pass takes the endpoint
// over from its deliveredSeq. Events go out one per request, in seq order;
// every write after a send is fenced on the lease the worker holds and on the
// deliveredSeq it read, so a worker whose lease was taken over changes
// nothing. At least once: an event whose success was not written (a kill
// between the answer and the write) is sent again, with the same webhook-id.

export const SECRET_PURPOSE = "webhook-secret";
/** How long a claim lasts; each delivered event extends it. Far above one attempt's deadline (10 s). */
export const LEASE_MS = 60_000;
/** After a day of consecutive failures the endpoint pauses and the org's admins are emailed. */
export const PAUSE_AFTER_MS = 24 * 60 * 60_000;
const EVENTS_PER_CLAIM = 50;
const ENDPOINTS_PER_PASS = 10;

/** 5 s after the first failure, doubling up to 10 minutes. */
export function backoffMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), 10 * 60_000);
}

export interface WebhookDeliveryOptions {
  now?: () => Date;
  resolve?: ResolveHost;
  /** Production rules for addresses and schemes; NODE_ENV=production by default. */
  production?: boolean;
  timeoutMs?: number;
  endpoints?: number;
  /** Tests: the events one claim may send before it lets go. */
  eventsPerClaim?: number;
}

export interface WebhookDeliveryReport {
  claimed: number;
  delivered: number;
  skipped: number;
  failed: number;
  paused: number;
  /** Claims that lost their lease to another worker before writing. */
  lostLeases: number;
}

interface ClaimedEndpoint {
  id: string;
  orgId: string;
  url: string;
  eventTypes: string[];
  secretSealed: string;
  previousSecretSealed: string | null;
  previousActive: boolean;
  deliveredSeq: bigint;
  consecutiveFailures: number;
  failing: boolean;
  failingADay: boolean;
}

export function isProduction(): boolean {
  return env().NODE_ENV === "production";
}

/** The secrets that sign a delivery: the current one, and the previous one while its rotation overlap lasts. */
export function signingSecrets(endpoint: { secretSealed: string; previousSecretSealed: string | null }, previousActive: boolean): string[] {
  const secrets = [open(endpoint.secretSealed, SECRET_PURPOSE).toString()];
  if (previousActive && endpoint.previousSecretSealed) secrets.push(open(endpoint.previousSecretSealed, SECRET_PURPOSE).toString());
  return secrets;
}

async function claimDue(now: Date, limit: number): Promise<{ endpoints: ClaimedEndpoint[]; leaseUntil: Date }> {
  const leaseUntil = new Date(now.getTime() + LEASE_MS);
  const pauseCutoff = new Date(now.getTime() - PAUSE_AFTER_MS);
  // Timestamps are compared in SQL and never read back (lib/db/sql.ts: the adapter reads them in local time).
  const endpoints = await defaultDb().$queryRaw<ClaimedEndpoint[]>`
    UPDATE "WebhookEndpoint" SET "leaseUntil" = ${leaseUntil}, "lastAttemptAt" = ${now}
    WHERE "id" IN (
      SELECT w."id" FROM "WebhookEndpoint" w JOIN "OrgEventCounter" c ON c."orgId" = w."orgId"
      WHERE w."state" = 'ACTIVE' AND w."nextAttemptAt" <= ${now} AND (w."leaseUntil" IS NULL OR w."leaseUntil" <= ${now})
        AND c."lastSeq" > w."deliveredSeq"
      ORDER BY w."nextAttemptAt"
      LIMIT ${limit}
      FOR UPDATE OF w SKIP LOCKED
    )
    RETURNING "id", "orgId", "url", "eventTypes", "secretSealed", "previousSecretSealed",
      ("previousSecretUntil" IS NOT NULL AND "previousSecretUntil" > ${now}) AS "previousActive",
      "deliveredSeq", "consecutiveFailures", ("failingSince" IS NOT NULL) AS "failing",
      ("failingSince" IS NOT NULL AND "failingSince" <= ${pauseCutoff}) AS "failingADay"`;
  return { endpoints, leaseUntil };
}

/** One pass: claim due endpoints and send each its next events, in order, one request per event. */
export async function deliverDueWebhooks(options: WebhookDeliveryOptions = {}): Promise<WebhookDeliveryReport> {
  const now = options.now ?? (() => new Date());
  const report: WebhookDeliveryReport = { claimed: 0, delivered: 0, skipped: 0, failed: 0, paused: 0, lostLeases: 0 };
  const { endpoints, leaseUntil } = await claimDue(now(), options.endpoints ?? ENDPOINTS_PER_PASS);
  report.claimed = endpoints.length;
  await Promise.all(
    endpoints.map((endpoint) =>
      serve(endpoint, leaseUntil, options, now, report).catch((error: unknown) => {
        // A database error or a secret that no longer opens (AUTH_SECRET changed): the lease lapses and the endpoint is tried again.
        console.error(`[gatehouse webhooks] endpoint ${endpoint.id}: ${error instanceof Error ? error.message : String(error)}`);
      }),
    ),
  );
  return report;
}

async function serve(endpoint: ClaimedEndpoint, claimLease: Date, options: WebhookDeliveryOptions, now: () => Date, report: WebhookDeliveryReport) {
  const prisma = defaultDb();
  const production = options.production ?? isProduction();
  let lease = claimLease;
  let delivered = endpoint.deliveredSeq;
  let through = endpoint.deliveredSeq;
  let succeeded = false;
  const wanted = new Set(endpoint.eventTypes);
  const secrets = signingSecrets(endpoint, endpoint.previousActive);
  const fence = () => ({ id: endpoint.id, state: "ACTIVE" as const, leaseUntil: lease, deliveredSeq: delivered });
  const events = await prisma.securityEvent.findMany({
    where: { orgId: endpoint.orgId, seq: { gt: delivered } },
    orderBy: { seq: "asc" },
    take: options.eventsPerClaim ?? EVENTS_PER_CLAIM,
  });

  for (const event of events) {
    if (wanted.size > 0 && !wanted.has(event.type)) {
      through = event.seq;
      report.skipped++;
      continue;
    }
    const body = JSON.stringify(serializeEvent(event));
    const headers = signedHeaders(secrets, event.id, Math.floor(now().getTime() / 1000), body);
    const result = await postSigned(endpoint.url, headers, body, { production, resolve: options.resolve, timeoutMs: options.timeoutMs });
    if (!result.ok) {
      report.failed++;
      await recordFailure(endpoint, { lease, delivered, through, succeeded }, result.error ?? "The delivery failed.", now(), report);
      return;
    }
    const at = now();
    const nextLease = new Date(at.getTime() + LEASE_MS);
    const { count } = await prisma.webhookEndpoint.updateMany({
      where: fence(),
      data: { deliveredSeq: event.seq, leaseUntil: nextLease, lastSuccessAt: at, consecutiveFailures: 0, failingSince: null, lastError: null },
    });
    if (count === 0) {
      report.lostLeases++;
      return;
    }
    report.delivered++;
    succeeded = true;
    lease = nextLease;
    delivered = through = event.seq;
  }
  // Let go: what was skipped after the last delivery counts as delivered; due again at once if more is waiting.
  const { count } = await prisma.webhookEndpoint.updateMany({ where: fence(), data: { deliveredSeq: through, leaseUntil: null, nextAttemptAt: now() } });
  if (count === 0) report.lostLeases++;
}

async function recordFailure(
  endpoint: ClaimedEndpoint,
  held: { lease: Date; delivered: bigint; through: bigint; succeeded: boolean },
  error: string,
  at: Date,
  report: WebhookDeliveryReport,
) {
  const failures = (held.succeeded ? 0 : endpoint.consecutiveFailures) + 1;
  const failing = endpoint.failing && !held.succeeded;
  const pause = endpoint.failingADay && !held.succeeded;
  const fence = { id: endpoint.id, state: "ACTIVE" as const, leaseUntil: held.lease, deliveredSeq: held.delivered };
  const lastError = error.slice(0, 500);
  const data = {
    deliveredSeq: held.through,
    consecutiveFailures: failures,
    ...(failing ? {} : { failingSince: at }),
    lastError,
    leaseUntil: null,
    nextAttemptAt: new Date(at.getTime() + backoffMs(failures)),
  };
  if (!pause) {
    const { count } = await defaultDb().webhookEndpoint.updateMany({ where: fence, data });
    if (count === 0) report.lostLeases++;
    return;
  }
  const reason = `Failed for 24 hours (${failures} attempts); last error: ${lastError}`;
  const paused = await withEvents(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({ where: fence, data: { ...data, state: "PAUSED", pausedAt: at, pausedReason: reason } });
    if (count === 0) return false;
    const row = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id }, select: { failingSince: true, org: { select: { name: true } } } });
    await recordEvent(
      { orgId: endpoint.orgId, actor: { kind: "system", id: null, name: "Event Streams" }, request: null },
      { type: "webhook.endpoint.paused", at, data: { endpointId: endpoint.id, url: endpoint.url, reason } },
      tx,
    );
    const admins = await tx.user.findMany({ where: { orgId: endpoint.orgId, role: "ADMIN", isActive: true }, select: { email: true, name: true } });
    for (const admin of admins) {
      await enqueueEmail(tx, {
        orgId: endpoint.orgId,
        to: admin.email,
        template: "webhook-endpoint-paused",
        data: {
          name: admin.name,
          orgName: row.org.name,
          url: endpoint.url,
          failingSince: row.failingSince ?? at,
          failures,
          lastError,
          manageLink: `${env().APP_URL}/setup/event-streams`,
        },
      });
    }
    return true;
  });
  if (paused) report.paused++;
  else report.lostLeases++;
}
