import "server-only";
import { EMAIL_TEMPLATES } from "../../emails";
import { DIGEST_LISTED_ALERTS, securityAlertsDigestEmail } from "../../emails/security-alerts-digest";
import { hitRateLimit, releaseRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { env } from "../env";
import { enqueueEmail, releaseHeldEmail } from "./outbox";

// The cap per recipient address on security alerts (DESIGN.md section 9,
// Abuse). An alert is never refused when queued (that would undo the change
// it reports), and anyone can create orgs, so one person could make any number
// of orgs alert one address. The worker counts the alerts it sends each
// address per hour, whatever the org, in the RateLimit table. Past
// EMAIL_ALERT_CAP_PER_RECIPIENT an alert is not sent: each org's newest alert
// to the address waits for the hour's end (with its own "This wasn't me"
// link), and that org's older waiting alerts are folded into one digest sent
// with it. Per org, so that one org's flood never hides another org's alert;
// and each org's first alert to an address in an hour always goes at once,
// cap or not, so another org's flood cannot delay it either (the floor costs
// an attacker one org per extra alert, and sign-ups are limited per client).

const DIGEST = securityAlertsDigestEmail.name;
/** Every security alert but the digest, which is how the cap speaks. */
const CAPPED: string[] = Object.values(EMAIL_TEMPLATES)
  .filter((template) => template.category === "alert" && template.name !== DIGEST)
  .map((template) => template.name);

/** What the outbox keeps of a folded alert: its metadata and this (its "This wasn't me" link was never delivered). */
export const FOLDED_BODY = "[This alert was listed in a digest instead of being sent: the address got too many security alerts in an hour.]";

const capKey = (to: string) => `email:alerts:${to.trim().toLowerCase()}`;
const capRule = (): RateLimitRule => ({ limit: env().EMAIL_ALERT_CAP_PER_RECIPIENT, windowSeconds: 60 * 60 });
/** Each org's own first alert to an address per hour: admitted whatever other orgs sent the address. */
const floorKey = (orgId: string, to: string) => `email:alerts:${orgId}:${to.trim().toLowerCase()}`;
const FLOOR: RateLimitRule = { limit: 1, windowSeconds: 60 * 60 };
const isCapped = (message: { template: string; orgId: string | null }) => message.orgId !== null && CAPPED.includes(message.template);
/** Marks one message admitted and not given back (see admitAlert); the mark outlasts any claim's lease. */
const admittedKey = (messageId: string) => `email:alert-admitted:${messageId}`;
const ADMITTED: RateLimitRule = { limit: 1, windowSeconds: 60 * 60 };

export interface ClaimedAlert {
  id: string;
  orgId: string | null;
  template: string;
  to: string;
  attempts: number;
}

/**
 * Counts a claimed message the worker is about to send against its address's
 * hour. True: send it (within the cap, or not a capped alert). False: it was
 * held or folded, as above, and must not be sent now.
 */
export async function admitAlert(prisma: Db, message: ClaimedAlert, now: Date): Promise<boolean> {
  if (!isCapped(message)) return true;
  // Counted once per admission: a claim taken over from a worker whose lease ran out after it admitted the
  // alert (it died, or its mail server never answered) finds that admission's mark and is not counted again.
  const mark = await hitRateLimit(admittedKey(message.id), ADMITTED, now);
  if (mark.count > 1) {
    await releaseRateLimit(admittedKey(message.id));
    return true;
  }
  const rule = capRule();
  const state = await hitRateLimit(capKey(message.to), rule, now);
  const own = await hitRateLimit(floorKey(message.orgId!, message.to), FLOOR, now);
  if (secondsOverLimit(state, rule, now) === 0 || secondsOverLimit(own, FLOOR, now) === 0) return true;
  await releaseRateLimit(admittedKey(message.id));
  await prisma.$transaction((tx) => holdAndFold(tx, { ...message, orgId: message.orgId! }, state.resetAt, now));
  return false;
}

/** An admitted alert that could not be delivered gives its place back: its retry is counted when it happens. */
export async function unadmitAlert(message: ClaimedAlert): Promise<void> {
  if (!isCapped(message)) return;
  await releaseRateLimit(capKey(message.to));
  await releaseRateLimit(floorKey(message.orgId!, message.to));
  await releaseRateLimit(admittedKey(message.id));
}

type Tx = Prisma.TransactionClient;
const WAITING = ["QUEUED", "RETRYING"] as const;

async function holdAndFold(tx: Tx, message: ClaimedAlert & { orgId: string }, until: Date, now: Date): Promise<void> {
  // Holding is not a delivery attempt: the claim is given back (fenced on it, as every write of the worker is).
  const held = await tx.emailMessage.updateMany({
    where: { id: message.id, state: "SENDING", attempts: message.attempts },
    data: { state: "QUEUED", attempts: message.attempts - 1, nextAttemptAt: until, updatedAt: now },
  });
  if (held.count !== 1) return;
  const sameAddress = { orgId: message.orgId, to: { equals: message.to, mode: "insensitive" as const } };
  const [newest, ...older] = await tx.emailMessage.findMany({
    where: { ...sameAddress, template: { in: CAPPED }, state: { in: [...WAITING] } },
    select: { id: true, subject: true, createdAt: true, nextAttemptAt: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  if (!newest) return;
  if (newest.nextAttemptAt < until) await tx.emailMessage.updateMany({ where: { id: newest.id, state: { in: [...WAITING] } }, data: { nextAttemptAt: until } });
  if (older.length === 0) return;

  const org = await tx.org.findUniqueOrThrow({ where: { id: message.orgId }, select: { name: true } });
  const existing = await tx.emailMessage.findFirst({ where: { ...sameAddress, template: DIGEST, state: "QUEUED", attempts: 0 }, select: { id: true } });
  const digest = existing ?? (await enqueueEmail(tx, digestEmail(message, org.name, older.length, older), { notBefore: until }));
  await tx.emailMessage.updateMany({
    where: { id: { in: older.map((alert) => alert.id) }, orgId: message.orgId, state: { in: [...WAITING] } },
    data: { state: "FOLDED", digestId: digest.id, text: FOLDED_BODY, html: `<p>${FOLDED_BODY}</p>`, updatedAt: now },
  });
  if (!existing) return;
  // A digest still waiting lists what it already held and what was just folded into it.
  const inDigest = { digestId: existing.id, orgId: message.orgId };
  const total = await tx.emailMessage.count({ where: inDigest });
  const listed = await tx.emailMessage.findMany({
    where: inDigest,
    select: { subject: true, createdAt: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: DIGEST_LISTED_ALERTS,
  });
  // Rewritten in place, and still leaving at the hour's end.
  await releaseHeldEmail(tx, existing.id, digestEmail(message, org.name, total, listed), until);
}

function digestEmail(message: { orgId: string; to: string }, orgName: string, total: number, alerts: { subject: string; createdAt: Date }[]) {
  return {
    orgId: message.orgId,
    to: message.to,
    template: DIGEST,
    data: { orgName, total, alerts: alerts.slice(0, DIGEST_LISTED_ALERTS).map((alert) => ({ subject: alert.subject, at: alert.createdAt })) },
  };
}
