import "server-only";
import type { AdminContext, OrgContext } from "../auth/org-context";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { HISTORY_PAGE_SIZE, afterCursor, createdAtWithin, pageCountFor, readInChunks, type DayRange } from "../db/listing";

export const AUDIT_PAGE_SIZE = HISTORY_PAGE_SIZE;

export type AuditFilter = DayRange;

const rowFields = {
  id: true,
  createdAt: true,
  actorName: true,
  action: true,
  section: true,
  field: true,
  oldValue: true,
  newValue: true,
  ip: true,
  userAgent: true,
} satisfies Prisma.AuditEventSelect;

export type AuditRow = Prisma.AuditEventGetPayload<{ select: typeof rowFields }>;

// Newest first; rows of one transaction share createdAt, so insertion order (seq) breaks the tie.
const newestFirst: Prisma.AuditEventOrderByWithRelationInput[] = [{ createdAt: "desc" }, { seq: "desc" }];

function auditWhere(ctx: OrgContext, filter: AuditFilter): Prisma.AuditEventWhereInput {
  return { orgId: ctx.orgId, ...createdAtWithin(filter) };
}

/** One page of the org's Setup Audit Trail, newest first. */
export async function listAuditEvents(ctx: AdminContext, query: AuditFilter & { page: number }) {
  const where = auditWhere(ctx, query);
  const [rows, total] = await Promise.all([
    db().auditEvent.findMany({ where, select: rowFields, orderBy: newestFirst, skip: (query.page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
    db().auditEvent.count({ where }),
  ]);
  return { rows, total, page: query.page, pageCount: pageCountFor(total, AUDIT_PAGE_SIZE) };
}

/** Every matching row of the org's trail, newest first, in chunks. */
export function auditEventsForExport(ctx: AdminContext, filter: AuditFilter): AsyncGenerator<AuditRow[]> {
  const where = auditWhere(ctx, filter);
  return readInChunks((afterId, take) => db().auditEvent.findMany({ where, select: rowFields, orderBy: newestFirst, take, ...afterCursor(afterId) }));
}

/** What changed, in one line: "Field: old → new" for field changes, else the row's details. */
export function describeAuditRow(row: Pick<AuditRow, "field" | "oldValue" | "newValue">): string {
  if (row.field) return `${row.field}: ${row.oldValue ?? "None"} → ${row.newValue ?? "None"}`;
  if (row.oldValue && row.newValue) return `${row.oldValue} → ${row.newValue}`;
  return row.newValue ?? row.oldValue ?? "";
}
