import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import {
  HISTORY_PAGE_SIZE,
  afterCursor,
  createdAtInWindow,
  createdAtWithin,
  pageCountFor,
  readInChunks,
  type DayRange,
  type HistoryWindow,
} from "../db/listing";
import { methodNamed } from "../events/projections";
import { ulidToUuid, uuidToUlid } from "../events/ulid";

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
  targetId: true,
  ip: true,
  userAgent: true,
} satisfies Prisma.AuditEventSelect;

type StoredAuditRow = Prisma.AuditEventGetPayload<{ select: typeof rowFields }>;

/** A trail row with the user it was about, named ("Dana Lee (dana@acme.test)", with " · security key “YubiKey 5”" when about a key or method), when there is one. */
export type AuditRow = StoredAuditRow & { target: string | null };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names each row's target user, and the key or method when there is one, from
 * the event the row was written from (it carries the event's id): two queries
 * per page or chunk, scoped by the org, so a row never names another org's
 * user. A user deleted since is named by nothing, and the row still reads as
 * before.
 */
async function withTargets(ctx: Principal, rows: StoredAuditRow[]): Promise<AuditRow[]> {
  const ids = [...new Set(rows.map((row) => row.targetId).filter((id): id is string => id !== null && UUID.test(id)))];
  const [users, events] = await Promise.all([
    ids.length ? db().user.findMany({ where: { orgId: ctx.orgId, id: { in: ids } }, select: { id: true, name: true, username: true } }) : [],
    rows.length
      ? db().securityEvent.findMany({
          where: { orgId: ctx.orgId, id: { in: rows.map((row) => uuidToUlid(row.id)) } },
          select: { id: true, type: true, targetCredentialName: true, data: true },
        })
      : [],
  ]);
  const names = new Map(users.map((user) => [user.id, `${user.name} (${user.username})`]));
  const methods = new Map(events.map((event) => [ulidToUuid(event.id), methodNamed(event)]));
  return rows.map((row) => {
    const user = (row.targetId && names.get(row.targetId)) ?? null;
    const method = methods.get(row.id) ?? null;
    return { ...row, target: user && method ? `${user} · ${method}` : user };
  });
}

// Newest first; rows of one transaction share createdAt, so insertion order (seq) breaks the tie.
const newestFirst: Prisma.AuditEventOrderByWithRelationInput[] = [{ createdAt: "desc" }, { seq: "desc" }];

function auditWhere(ctx: Principal, filter: AuditFilter): Prisma.AuditEventWhereInput {
  return { orgId: ctx.orgId, ...createdAtWithin(filter) };
}

/** One page of the org's Setup Audit Trail, newest first. */
export async function listAuditEvents(ctx: Principal, query: AuditFilter & { page: number }) {
  requirePermission(ctx, "history:read");
  const where = auditWhere(ctx, query);
  const [stored, total] = await Promise.all([
    db().auditEvent.findMany({ where, select: rowFields, orderBy: newestFirst, skip: (query.page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
    db().auditEvent.count({ where }),
  ]);
  const rows = await withTargets(ctx, stored);
  return { rows, total, page: query.page, pageCount: pageCountFor(total, AUDIT_PAGE_SIZE) };
}

/** Every matching row of the org's trail, newest first, in chunks. */
export function auditEventsForExport(ctx: Principal, filter: AuditFilter): AsyncGenerator<AuditRow[]> {
  requirePermission(ctx, "history:read");
  const where = auditWhere(ctx, filter);
  return readInChunks(async (afterId, take) =>
    withTargets(ctx, await db().auditEvent.findMany({ where, select: rowFields, orderBy: newestFirst, take, ...afterCursor(afterId) })),
  );
}

/** Up to `window.take` rows of the org's trail, newest first, each with its `seq` (the Admin API's cursor read: rows of one transaction share createdAt). */
export async function auditEventsBefore(ctx: Principal, window: HistoryWindow<bigint>): Promise<(AuditRow & { seq: bigint })[]> {
  requirePermission(ctx, "history:read");
  const { before } = window;
  const older = before ? [{ OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, seq: { lt: before.tie } }] }] : [];
  const stored = await db().auditEvent.findMany({
    where: { AND: [auditWhere(ctx, { from: null, to: null }), createdAtInWindow(window), ...older] },
    select: { ...rowFields, seq: true },
    orderBy: newestFirst,
    take: window.take,
  });
  const rows = await withTargets(ctx, stored);
  return rows.map((row, i) => ({ ...row, seq: stored[i]!.seq }));
}

/** What changed, in one line: "Field: old → new" for field changes, else the row's details. */
export function describeAuditRow(row: Pick<AuditRow, "field" | "oldValue" | "newValue">): string {
  if (row.field) return `${row.field}: ${row.oldValue ?? "None"} → ${row.newValue ?? "None"}`;
  if (row.oldValue && row.newValue) return `${row.oldValue} → ${row.newValue}`;
  return row.newValue ?? row.oldValue ?? "";
}
