import "server-only";
import { db } from "../../db/client";
import type { Prisma } from "../../db/generated/client";
import {
  HISTORY_PAGE_SIZE,
  afterCursor,
  cappedCount,
  cappedTotal,
  createdAtInWindow,
  createdAtWithin,
  pageCountFor,
  readInChunks,
  type DayRange,
  type HistoryWindow,
} from "../../db/listing";
import { csvLine } from "../../http/csv";
import { describeBrowser } from "../../http/request-info";
import type { LoginResult } from "./login";
import { requirePermission, type Principal } from "../principal";

export interface LoginFilter extends DayRange {
  result: LoginResult | null;
}

const rowFields = { id: true, createdAt: true, username: true, result: true, ip: true, userAgent: true } satisfies Prisma.LoginAttemptSelect;

export type LoginRow = Prisma.LoginAttemptGetPayload<{ select: typeof rowFields }>;

const newestFirst: Prisma.LoginAttemptOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "desc" }];

// Attempts on unknown usernames have no org (orgId null); matching on the
// context's orgId leaves them out, so no admin sees what others typed.
function loginWhere(ctx: Principal, filter: LoginFilter): Prisma.LoginAttemptWhereInput {
  return { orgId: ctx.orgId, ...createdAtWithin(filter), ...(filter.result ? { result: filter.result } : {}) };
}

/** One page of the org's Login History, newest first. */
export async function listLoginAttempts(ctx: Principal, query: LoginFilter & { page: number }) {
  requirePermission(ctx, "history:read");
  const where = loginWhere(ctx, query);
  const [rows, counted] = await Promise.all([
    db().loginAttempt.findMany({ where, select: rowFields, orderBy: newestFirst, skip: (query.page - 1) * HISTORY_PAGE_SIZE, take: HISTORY_PAGE_SIZE }),
    db().loginAttempt.count({ where, ...cappedCount(query.page) }),
  ]);
  // Past the cap the page says "more than" and still offers the next page.
  const { total, totalIsCapped } = cappedTotal(counted, query.page);
  return { rows, total, totalIsCapped, page: query.page, pageCount: pageCountFor(total) };
}

/** Every matching login attempt of the org, newest first, in chunks. */
export function loginAttemptsForExport(ctx: Principal, filter: LoginFilter): AsyncGenerator<LoginRow[]> {
  requirePermission(ctx, "history:read");
  const where = loginWhere(ctx, filter);
  return readInChunks((afterId, take) => db().loginAttempt.findMany({ where, select: rowFields, orderBy: newestFirst, take, ...afterCursor(afterId) }));
}

/** Up to `window.take` of the org's login attempts, newest first (the Admin API's cursor read). */
export function loginAttemptsBefore(ctx: Principal, filter: { result: LoginResult | null }, window: HistoryWindow) {
  requirePermission(ctx, "history:read");
  const { before } = window;
  const older = before ? [{ OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.tie } }] }] : [];
  return db().loginAttempt.findMany({
    where: { AND: [loginWhere(ctx, { from: null, to: null, result: filter.result }), createdAtInWindow(window), ...older] },
    select: rowFields,
    orderBy: newestFirst,
    take: window.take,
  });
}

export const LOGIN_CSV_HEADER = ["Date (UTC)", "Username", "Result", "IP address", "Browser"];

export function loginCsvLine(row: LoginRow): string {
  return csvLine([row.createdAt.toISOString(), row.username, row.result, row.ip, describeBrowser(row.userAgent)]);
}
