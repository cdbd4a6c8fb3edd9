import { z } from "zod";
import { EMAIL_TEMPLATES, type EmailTemplateData, type EmailTemplateName } from "../../emails";
import type { Prisma } from "../db/generated/client";

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
  orgId: string;
  to: string;
  template: N;
  data: EmailTemplateData<N>;
}

type OutboxWriter = Pick<Prisma.TransactionClient, "emailMessage">;

/**
 * Renders a notification and writes it to the outbox inside the caller's
 * transaction: it exists exactly when the change it reports is committed,
 * and the mail worker delivers it afterwards. Invalid input throws
 * EmailRejectedError before anything is written (and so rolls back the caller).
 */
export async function enqueueEmail<N extends EmailTemplateName>(tx: OutboxWriter, message: OutgoingEmail<N>): Promise<{ id: string }> {
  const to = recipientSchema.safeParse(message.to);
  if (!to.success) throw new EmailRejectedError(message.template, ["to"]);
  const template = EMAIL_TEMPLATES[message.template];
  if (!template) throw new EmailRejectedError(message.template, ["template"]);
  const result = template.render(message.data);
  if (!result.ok) throw new EmailRejectedError(message.template, result.fields);
  const rendered = result.email;
  const oversized = (["subject", "text", "html"] as const).filter((field) => rendered[field].length > EMAIL_LIMITS[field]);
  if (oversized.length) throw new EmailRejectedError(message.template, oversized);

  const row = await tx.emailMessage.create({
    data: { orgId: message.orgId, template: message.template, to: to.data, ...rendered },
    select: { id: true },
  });
  return row;
}
