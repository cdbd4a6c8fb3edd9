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

/** Prisma's arguments for "the rows after this id" in a cursor read. */
export function afterCursor(afterId: string | undefined): { cursor?: { id: string }; skip?: number } {
  return afterId ? { cursor: { id: afterId }, skip: 1 } : {};
}
