import "server-only";
import type { OrgContext } from "../auth/org-context";
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
import type { VerificationActivity, VerificationResult } from "./history";

export interface VerificationFilter extends DayRange {
  activity: VerificationActivity | null;
  result: VerificationResult | null;
  /** Part of a username, any case. */
  user: string | null;
}

const rowFields = {
  id: true,
  createdAt: true,
  userId: true,
  method: true,
  activity: true,
  result: true,
  detail: true,
  ip: true,
  userAgent: true,
} satisfies Prisma.VerificationEventSelect;

export type VerificationRow = Prisma.VerificationEventGetPayload<{ select: typeof rowFields }> & {
  /** Null when the user no longer exists. */
  user: { name: string; username: string } | null;
};

// Rows written in one instant tie on createdAt; id makes the order total, which the export's cursor needs.
const newestFirst: Prisma.VerificationEventOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "desc" }];

async function verificationWhere(ctx: Principal, filter: VerificationFilter): Promise<Prisma.VerificationEventWhereInput> {
  const where: Prisma.VerificationEventWhereInput = {
    orgId: ctx.orgId,
    ...createdAtWithin(filter),
    ...(filter.activity ? { activity: filter.activity } : {}),
    ...(filter.result ? { result: filter.result } : {}),
  };
  if (!filter.user) return where;
  // The event table has no user relation, so the search resolves to this org's matching user ids first.
  const users = await db().user.findMany({
    where: { orgId: ctx.orgId, username: { contains: filter.user, mode: "insensitive" } },
    select: { id: true },
  });
  return { ...where, userId: { in: users.map((user) => user.id) } };
}

/** Adds each row's user name and username, looked up within the org only. */
async function withUsers(ctx: Principal, rows: Prisma.VerificationEventGetPayload<{ select: typeof rowFields }>[]): Promise<VerificationRow[]> {
  const ids = [...new Set(rows.map((row) => row.userId))];
  const users = ids.length ? await db().user.findMany({ where: { orgId: ctx.orgId, id: { in: ids } }, select: { id: true, name: true, username: true } }) : [];
  const byId = new Map(users.map((user) => [user.id, { name: user.name, username: user.username }]));
  return rows.map((row) => ({ ...row, user: byId.get(row.userId) ?? null }));
}

/** One page of the org's Identity Verification History, newest first. */
export async function listVerificationEvents(ctx: Principal, query: VerificationFilter & { page: number }) {
  requirePermission(ctx, "history:read");
  const where = await verificationWhere(ctx, query);
  const [rows, total] = await Promise.all([
    db().verificationEvent.findMany({ where, select: rowFields, orderBy: newestFirst, skip: (query.page - 1) * HISTORY_PAGE_SIZE, take: HISTORY_PAGE_SIZE }),
    db().verificationEvent.count({ where }),
  ]);
  return { rows: await withUsers(ctx, rows), total, page: query.page, pageCount: pageCountFor(total) };
}

/** Every matching row of the org's history, newest first, in chunks. */
export async function* verificationEventsForExport(ctx: Principal, filter: VerificationFilter): AsyncGenerator<VerificationRow[]> {
  requirePermission(ctx, "history:read");
  const where = await verificationWhere(ctx, filter);
  const chunks = readInChunks((afterId, take) =>
    db().verificationEvent.findMany({ where, select: rowFields, orderBy: newestFirst, take, ...afterCursor(afterId) }),
  );
  for await (const rows of chunks) yield await withUsers(ctx, rows);
}

/** Up to `window.take` of the org's verification events, newest first (the Admin API's cursor read). */
export async function verificationEventsBefore(ctx: Principal, filter: Omit<VerificationFilter, "from" | "to">, window: HistoryWindow) {
  requirePermission(ctx, "history:read");
  const { before } = window;
  const older = before ? [{ OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.tie } }] }] : [];
  const where = await verificationWhere(ctx, { ...filter, from: null, to: null });
  const rows = await db().verificationEvent.findMany({
    where: { AND: [where, createdAtInWindow(window), ...older] },
    select: rowFields,
    orderBy: newestFirst,
    take: window.take,
  });
  return withUsers(ctx, rows);
}

/** The signed-in user's own latest verification events, for Advanced User Details. */
export async function listOwnRecentVerifications(ctx: OrgContext, take = 10) {
  return db().verificationEvent.findMany({
    where: { orgId: ctx.orgId, userId: ctx.userId },
    orderBy: newestFirst,
    take,
    select: { id: true, createdAt: true, method: true, activity: true, result: true, detail: true, ip: true, userAgent: true },
  });
}
