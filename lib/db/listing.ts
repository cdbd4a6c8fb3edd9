import "server-only";
import type { Prisma } from "./generated/client";

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPORT_CHUNK = 500;
/** An export stops here; narrow the dates for more. */
export const EXPORT_LIMIT = 100_000;

/** Rows per page on every Setup history page (audit trail, verification and login history). */
export const HISTORY_PAGE_SIZE = 50;

export interface DayRange {
  /** First UTC day shown, inclusive. */
  from: Date | null;
  /** Last UTC day shown, inclusive. */
  to: Date | null;
}

/** A createdAt condition for an inclusive day range, or nothing when the range is open on both ends. */
export function createdAtWithin(range: DayRange): { createdAt?: Prisma.DateTimeFilter } {
  if (!range.from && !range.to) return {};
  return {
    createdAt: {
      ...(range.from ? { gte: range.from } : {}),
      // The To day is included, so the bound is the next midnight.
      ...(range.to ? { lt: new Date(range.to.getTime() + DAY_MS) } : {}),
    },
  };
}

/**
 * Counting every row of a long history is a scan of all of them on every page
 * view. A history page counts at most this many rows past its own offset:
 * enough to page on, and the same cost for 200 rows as for 2 million.
 */
export const COUNT_AHEAD = 10_000;

/**
 * Prisma count arguments for a history page: one row past COUNT_AHEAD beyond
 * the page's offset (that row says "more"), newest first. A count with `take`
 * and no order is ordered by id, which the database can only give by walking
 * the primary key past every other org's rows (12 ms at 200,000 rows, against
 * 2.6 ms through the (orgId, createdAt) index that every history table has).
 */
export function cappedCount(page: number, pageSize = HISTORY_PAGE_SIZE): { take: number; orderBy: { createdAt: "desc" } } {
  return { take: (page - 1) * pageSize + COUNT_AHEAD + 1, orderBy: { createdAt: "desc" } };
}

/** A capped count as pages show it: the total, or the cap with `capped` ("more than …"). */
export function cappedTotal(counted: number, page: number, pageSize = HISTORY_PAGE_SIZE): { total: number; totalIsCapped: boolean } {
  const cap = (page - 1) * pageSize + COUNT_AHEAD;
  return counted > cap ? { total: cap, totalIsCapped: true } : { total: counted, totalIsCapped: false };
}

export function pageCountFor(total: number, pageSize = HISTORY_PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * Every row a cursor query yields, in chunks, so an export never loads it all
 * at once. readChunk gets the id of the last row already sent (undefined
 * first) and must keep one total order, ending in a unique key.
 */
export async function* readInChunks<T extends { id: string }>(
  readChunk: (afterId: string | undefined, take: number) => Promise<T[]>,
  limit = EXPORT_LIMIT,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  let sent = 0;
  while (sent < limit) {
    const rows = await readChunk(cursor, Math.min(EXPORT_CHUNK, limit - sent));
    if (rows.length === 0) return;
    yield rows;
    sent += rows.length;
    cursor = rows.at(-1)!.id;
  }
}

/**
 * A newest-first cursor read of a history (the Admin API): rows at or after
 * `since`, before `until`, and older than `before` (the last row already sent:
 * its time and its unique tie-breaker), `take` of them.
 */
export interface HistoryWindow<Tie = string> {
  since: Date | null;
  until: Date | null;
  before: { createdAt: Date; tie: Tie } | null;
  take: number;
}

/** The createdAt condition of a window's `since` and `until`. */
export function createdAtInWindow(window: Pick<HistoryWindow<unknown>, "since" | "until">): { createdAt?: Prisma.DateTimeFilter } {
  if (!window.since && !window.until) return {};
  return { createdAt: { ...(window.since ? { gte: window.since } : {}), ...(window.until ? { lt: window.until } : {}) } };
}

/** Prisma's arguments for "the rows after this id" in a cursor read. */
export function afterCursor(afterId: string | undefined): { cursor?: { id: string }; skip?: number } {
  return afterId ? { cursor: { id: afterId }, skip: 1 } : {};
}
