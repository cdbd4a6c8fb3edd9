import "server-only";
import type { Db } from "../db/client";
import { db as defaultDb } from "../db/client";
import type { Prisma } from "../db/generated/client";
import type { RequestInfo } from "../http/request-info";

type Writer = Pick<Db, "auditEvent"> | Prisma.TransactionClient;

export interface AuditEntry {
  orgId: string;
  actor: { id: string; name: string } | null;
  action: string;
  section: string;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
  targetId?: string;
  /** The request that made the change: its client IP and browser are kept with the row. */
  request?: RequestInfo | null;
}

/** One Setup Audit Trail row. Pass the transaction of the change it records. */
export async function recordAudit(entry: AuditEntry, writer: Writer = defaultDb()): Promise<void> {
  await writer.auditEvent.create({
    data: {
      orgId: entry.orgId,
      actorId: entry.actor?.id ?? null,
      actorName: entry.actor?.name ?? null,
      action: entry.action,
      section: entry.section,
      field: entry.field ?? null,
      oldValue: entry.oldValue ?? null,
      newValue: entry.newValue ?? null,
      targetId: entry.targetId ?? null,
      ip: entry.request?.ip ?? null,
      userAgent: entry.request?.userAgent ?? null,
    },
  });
}
