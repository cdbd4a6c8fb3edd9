import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { EmailState, Prisma } from "../db/generated/client";

export const EMAIL_LOG_PAGE_SIZE = 50;

/** The Email Log: the org's own outgoing notifications, newest first. Bodies stay out of it. */
export async function listEmailLog(ctx: Principal, query: { page: number; state?: EmailState }) {
  requirePermission(ctx, "history:read");
  const where: Prisma.EmailMessageWhereInput = { orgId: ctx.orgId, ...(query.state ? { state: query.state } : {}) };
  const [messages, total] = await Promise.all([
    db().emailMessage.findMany({
      where,
      select: {
        id: true,
        to: true,
        template: true,
        subject: true,
        state: true,
        attempts: true,
        lastError: true,
        createdAt: true,
        sentAt: true,
        nextAttemptAt: true,
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (query.page - 1) * EMAIL_LOG_PAGE_SIZE,
      take: EMAIL_LOG_PAGE_SIZE,
    }),
    db().emailMessage.count({ where }),
  ]);
  return { messages, total, page: query.page, pageCount: Math.max(1, Math.ceil(total / EMAIL_LOG_PAGE_SIZE)) };
}

export const MAILBOX_SIZE = 100;

/**
 * /dev/mailbox: every message this installation kept, across orgs. Only
 * reachable while no SMTP server is configured outside production (the page
 * checks mailboxEnabled()), where it stands in for the recipients' inboxes.
 */
export async function listMailbox() {
  return db().emailMessage.findMany({
    select: { id: true, to: true, subject: true, createdAt: true, state: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: MAILBOX_SIZE,
  });
}

export async function findMailboxMessage(id: string) {
  return db().emailMessage.findUnique({
    where: { id },
    select: { id: true, to: true, subject: true, text: true, html: true, createdAt: true, state: true, template: true },
  });
}
