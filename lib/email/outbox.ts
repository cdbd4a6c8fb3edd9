import "server-only";
import { z } from "zod";
import { EMAIL_TEMPLATES, type EmailTemplateData, type EmailTemplateName } from "../../emails";
import type { Prisma } from "../db/generated/client";
import { recordEvent } from "../events/record";
import { ANONYMOUS } from "../events/types";
import { env } from "../env";
import type { RequestInfo } from "../http/request-info";
import { UserFacingError } from "../errors";

/** Upper bounds for one stored message; templates stay far below them. */
export const EMAIL_LIMITS = { to: 254, subject: 200, text: 64 * 1024, html: 256 * 1024 } as const;

const recipientSchema = z.string().trim().max(EMAIL_LIMITS.to).pipe(z.email());

/** A notification that could not be queued: bad recipient or data out of bounds. Nothing was written. */
export class EmailRejectedError extends Error {
  constructor(
    readonly template: string,
    readonly fields: string[],
  ) {
    // Names the fields, never their values: those may be personal data.
    super(`Email "${template}" refused before queueing; invalid: ${fields.join(", ") || "message"}.`);
    this.name = "EmailRejectedError";
  }
}

export interface OutgoingEmail<N extends EmailTemplateName> {
  /** Null only for someone who has no org yet (the sign-up code). */
  orgId: string | null;
  to: string;
  template: N;
  data: EmailTemplateData<N>;
}

type OutboxWriter = Pick<Prisma.TransactionClient, "emailMessage">;

/**
 * The hourly quota a notice counts against, each counted apart: what anyone can
 * ask for at the login page ("requested") never uses up what an admin sends
 * ("admin") or the reset after "This wasn't me" ("containment").
 */
export type EmailBudget = "admin" | "requested" | "containment";

const QUOTA_WINDOW_MS = 60 * 60_000;

/**
 * The outbox refused a message over a quota (per recipient or per org, per
 * rolling hour). Thrown inside the caller's transaction, so the change that
 * wanted to send it is not made either; the entry points record an audit row
 * for the org (reportEmailQuotaRefusal) after the rollback.
 */
export class EmailQuotaExceededError extends UserFacingError {
  override readonly status = 429;
  readonly code = "email-quota";
  constructor(
    readonly scope: "recipient" | "org",
    readonly orgId: string | null,
    readonly template: string,
  ) {
    super(
      scope === "recipient"
        ? "Too many emails went to this address in the last hour. Nothing was changed; try again later."
        : "Your org has sent too many emails in the last hour. Nothing was changed; try again later.",
    );
    this.name = "EmailQuotaExceededError";
  }
}

/**
 * Counts the last hour's notices (invitations and other mail someone else
 * triggers) of the message's budget to this address from this org, and from
 * the whole org; refuses the excess. Alerts are never refused (refusing one would undo the change it
 * reports), and codes the recipient asked for have per-user limits of their
 * own: counting them here would let another tenant's invitations to the same
 * address block this user's codes.
 */
async function enforceQuota(tx: OutboxWriter, message: { orgId: string; to: string; template: string; budget: EmailBudget }): Promise<void> {
  const since = new Date(Date.now() - QUOTA_WINDOW_MS);
  const counted = { createdAt: { gte: since }, orgId: message.orgId, template: { in: NOTICE_TEMPLATES }, budget: message.budget };
  const { EMAIL_QUOTA_PER_RECIPIENT, EMAIL_QUOTA_PER_ORG } = env();
  const toThisAddress = { ...counted, to: { equals: message.to, mode: "insensitive" as const } };
  if ((await tx.emailMessage.count({ where: toThisAddress })) >= EMAIL_QUOTA_PER_RECIPIENT) {
    throw new EmailQuotaExceededError("recipient", message.orgId, message.template);
  }
  if ((await tx.emailMessage.count({ where: counted })) >= EMAIL_QUOTA_PER_ORG) {
    throw new EmailQuotaExceededError("org", message.orgId, message.template);
  }
}

const NOTICE_TEMPLATES = Object.values(EMAIL_TEMPLATES)
  .filter((t) => t.category === "notice")
  .map((t) => t.name);

/**
 * Renders a notification and writes it to the outbox inside the caller's
 * transaction: it exists exactly when the change it reports is committed,
 * and the mail worker delivers it afterwards. Invalid input throws
 * EmailRejectedError before anything is written (and so rolls back the caller).
 */
export async function enqueueEmail<N extends EmailTemplateName>(
  tx: OutboxWriter,
  message: OutgoingEmail<N>,
  options: { notBefore?: Date; budget?: EmailBudget } = {},
): Promise<{ id: string }> {
  const { to, template, rendered } = renderChecked(message);
  const budget = options.budget ?? "admin";
  if (template.category === "notice" && message.orgId) await enforceQuota(tx, { orgId: message.orgId, to, template: message.template, budget });
  const row = await tx.emailMessage.create({
    data: {
      orgId: message.orgId,
      template: message.template,
      to,
      priority: template.category === "notice" ? 1 : 0,
      budget,
      ...rendered,
      ...(options.notBefore ? { nextAttemptAt: options.notBefore } : {}),
    },
    select: { id: true },
  });
  return row;
}

function renderChecked<N extends EmailTemplateName>(message: OutgoingEmail<N>) {
  const to = recipientSchema.safeParse(message.to);
  if (!to.success) throw new EmailRejectedError(message.template, ["to"]);
  const template = EMAIL_TEMPLATES[message.template];
  if (!template) throw new EmailRejectedError(message.template, ["template"]);
  const result = template.render(message.data);
  if (!result.ok) throw new EmailRejectedError(message.template, result.fields);
  const rendered = result.email;
  const oversized = (["subject", "text", "html"] as const).filter((field) => rendered[field].length > EMAIL_LIMITS[field]);
  if (oversized.length) throw new EmailRejectedError(message.template, oversized);
  return { to: to.data, template, rendered };
}

/**
 * Rewrites a message still waiting in the outbox (held back with `notBefore`)
 * and releases it now. False when it already left (or was claimed): the
 * caller's change stands and the message goes out as it was.
 */
export async function releaseHeldEmail<N extends EmailTemplateName>(
  tx: OutboxWriter,
  id: string,
  message: OutgoingEmail<N>,
  now = new Date(),
): Promise<boolean> {
  const { to, rendered } = renderChecked(message);
  const { count } = await tx.emailMessage.updateMany({
    where: { id, orgId: message.orgId, template: message.template, state: "QUEUED", attempts: 0 },
    data: { to, ...rendered, nextAttemptAt: now },
  });
  return count === 1;
}

/**
 * After a request failed on an email quota (and its transaction rolled back),
 * the org's Setup Audit Trail records the refusal. Anything else is ignored.
 */
export async function reportEmailQuotaRefusal(error: unknown, by: { actor: { id: string; name: string } | null; request: RequestInfo | null }): Promise<void> {
  if (!(error instanceof EmailQuotaExceededError) || !error.orgId) return;
  const actor = by.actor ? ({ kind: "user", ...by.actor } as const) : ANONYMOUS;
  await recordEvent(
    { orgId: error.orgId, actor, request: by.request },
    { type: "org.email.refused", data: { template: error.template, scope: error.scope } },
  ).catch((auditError: unknown) => console.error("could not record an email quota refusal", auditError));
}
