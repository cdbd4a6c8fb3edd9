import "server-only";
import { db as defaultDb, type Db } from "../db/client";
import { env } from "../env";
import { EMAIL_TEMPLATES } from "../../emails";
import { admitAlert, unadmitAlert } from "./alert-cap";
import { describeDeliveryError, type MailTransport } from "./transport";

/** First retry after MAIL_RETRY_BASE_SECONDS (30 s by default), doubling up to one hour between attempts. */
export const RETRY_MAX_MS = 60 * 60_000;
/** A message still undelivered this long after it was queued is marked failed. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/**
 * Longest wait for one message's SMTP exchange. A server that takes the data and
 * never answers would otherwise hold the worker's pass, and every message behind
 * it, for good: the soak found exactly that. Below the shortest claim lease (60 s).
 */
export const SEND_TIMEOUT_MS = 50_000;

/**
 * A message carrying a link or code waits at most a tenth of its secret's lifetime
 * between attempts: a 10-minute code is retried at least every minute, not once an
 * hour after a short SMTP outage (the soak saw codes expire in the queue that way).
 */
export function retryDelayMs(attempts: number, baseMs = env().MAIL_RETRY_BASE_SECONDS * 1000, secretValidForMs?: number): number {
  const cap = secretValidForMs === undefined ? RETRY_MAX_MS : Math.min(RETRY_MAX_MS, Math.max(baseMs, secretValidForMs / 10));
  return Math.min(baseMs * 2 ** Math.max(0, attempts - 1), cap);
}

interface ClaimedMessage {
  id: string;
  orgId: string | null;
  template: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attempts: number;
  /** Queued more than GIVE_UP_AFTER_MS before this claim: if this attempt fails, the message fails. */
  lastChance: boolean;
}

export interface DeliveryOptions {
  transport: MailTransport;
  db?: Db;
  now?: () => Date;
  batchSize?: number;
  /** Tests shorten it; see SEND_TIMEOUT_MS. */
  sendTimeoutMs?: number;
}

export interface DeliveryReport {
  claimed: number;
  sent: number;
  retrying: number;
  failed: number;
  /** Security alerts past their address's hourly cap: held for the hour's end or folded into a digest (./alert-cap.ts). */
  held: number;
}

/**
 * Claims due messages in one statement: FOR UPDATE SKIP LOCKED lets any
 * number of workers (app instances, `npm run mail:worker`) run at once, each
 * row going to exactly one of them. A claim marks the row SENDING until the
 * lease ends, so a message whose worker died is picked up again later.
 */
async function claimDue(prisma: Db, now: Date, batchSize: number): Promise<ClaimedMessage[]> {
  // How long a claim lasts (MAIL_CLAIM_LEASE_SECONDS): a worker that dies mid-send frees its messages after this.
  const leaseEnd = new Date(now.getTime() + env().MAIL_CLAIM_LEASE_SECONDS * 1000);
  // Compared in SQL: raw timestamps read back through the PGlite adapter take
  // the process's time zone, parameters do not.
  const giveUpCutoff = new Date(now.getTime() - GIVE_UP_AFTER_MS);
  return prisma.$queryRaw<ClaimedMessage[]>`
    UPDATE "EmailMessage"
    SET "state" = 'SENDING', "attempts" = "attempts" + 1, "nextAttemptAt" = ${leaseEnd}, "updatedAt" = ${now}
    WHERE "id" IN (
      SELECT "id" FROM "EmailMessage"
      WHERE "state" IN ('QUEUED', 'RETRYING', 'SENDING') AND "nextAttemptAt" <= ${now}
      ORDER BY "priority", "nextAttemptAt"
      LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING "id", "orgId", "template", "to", "subject", "text", "html", "attempts", ("createdAt" <= ${giveUpCutoff}) AS "lastChance"`;
}

/** One pass: claim what is due, send it, record the outcome of each message. */
export async function deliverDueEmails(options: DeliveryOptions): Promise<DeliveryReport> {
  const prisma = options.db ?? defaultDb();
  const now = options.now ?? (() => new Date());
  const { MAIL_FROM, APP_URL } = env();
  const host = new URL(APP_URL).hostname;
  await blankExpiredSecrets(prisma, now());
  const claimed = await claimDue(prisma, now(), options.batchSize ?? 10);
  const report: DeliveryReport = { claimed: claimed.length, sent: 0, retrying: 0, failed: 0, held: 0 };

  for (const message of claimed) {
    // Writes are fenced on the attempt we claimed: a worker whose lease ran
    // out cannot overwrite the outcome of the worker that took over.
    const ours = { id: message.id, state: "SENDING" as const, attempts: message.attempts };
    if (!(await admitAlert(prisma, message, now()))) {
      report.held++;
      continue;
    }
    try {
      const { messageId } = await withTimeout(
        options.transport.send({
          from: MAIL_FROM,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${message.id}@${host}>`,
        }),
        options.sendTimeoutMs ?? SEND_TIMEOUT_MS,
      );
      // A secret delivered by SMTP is no longer kept readable (the embedded mailbox is the delivery itself).
      const blank = options.transport.kind === "smtp" && carriesSecret(message.template) ? blankedBody() : {};
      await prisma.emailMessage.updateMany({
        where: ours,
        data: { state: "SENT", sentAt: now(), providerMessageId: messageId.slice(0, 500), lastError: null, ...blank },
      });
      report.sent++;
    } catch (error) {
      await unadmitAlert(message);
      const at = now();
      await prisma.emailMessage.updateMany({
        where: ours,
        data: {
          state: message.lastChance ? "FAILED" : "RETRYING",
          nextAttemptAt: new Date(at.getTime() + retryDelayMs(message.attempts, undefined, secretLifetime(message.template))),
          lastError: describeDeliveryError(error),
        },
      });
      report[message.lastChance ? "failed" : "retrying"]++;
    }
  }
  return report;
}

/** Rejects when `promise` has not settled within `ms` (the send it stands for may still finish: a receiver deduplicates by Message-ID). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The mail server did not answer within ${Math.round(ms / 1000)} s.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What the outbox keeps of a message whose secret it must not keep; the Email Log still has its metadata. */
export const SECRET_REMOVED = "[The body of this message held a link or code. It was removed after delivery or expiry.]";

function secretLifetime(template: string): number | undefined {
  return (EMAIL_TEMPLATES as Record<string, { secretValidForMs?: number }>)[template]?.secretValidForMs;
}

function carriesSecret(template: string): boolean {
  return secretLifetime(template) !== undefined;
}

function blankedBody() {
  return { text: SECRET_REMOVED, html: `<p>${SECRET_REMOVED}</p>` };
}

/**
 * Blanks the bodies of secret-bearing messages whose secret has expired,
 * delivered or not; one still waiting is marked failed (delivering an expired
 * link or code would only confuse its reader).
 */
async function blankExpiredSecrets(prisma: Db, now: Date): Promise<void> {
  for (const [name, template] of Object.entries(EMAIL_TEMPLATES) as [string, { secretValidForMs?: number }][]) {
    if (template.secretValidForMs === undefined) continue;
    const cutoff = new Date(now.getTime() - template.secretValidForMs);
    await prisma.emailMessage.updateMany({
      // SENDING counts once its claim lapsed (its worker died): it would otherwise be sent expired.
      where: { template: name, createdAt: { lt: cutoff }, OR: [{ state: { in: ["QUEUED", "RETRYING"] } }, { state: "SENDING", nextAttemptAt: { lte: now } }] },
      data: { state: "FAILED", lastError: "The link or code expired before it could be delivered.", updatedAt: now },
    });
    await prisma.emailMessage.updateMany({
      where: { template: name, createdAt: { lt: cutoff }, state: { in: ["SENT", "FAILED"] }, NOT: { text: SECRET_REMOVED } },
      data: blankedBody(),
    });
  }
}
