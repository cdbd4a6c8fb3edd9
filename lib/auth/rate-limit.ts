import "server-only";
import { db } from "../db/client";

export interface RateLimitRule {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitState {
  count: number;
  resetAt: Date;
}

/**
 * Fixed-window counters in the database, so every app instance sees the same
 * count. `hit` is one atomic upsert: concurrent failures are all counted.
 */
export async function hitRateLimit(key: string, rule: RateLimitRule, now = new Date()): Promise<RateLimitState> {
  const resetAt = new Date(now.getTime() + rule.windowSeconds * 1000);
  const rows = await db().$queryRaw<{ count: number; expiresAt: Date }[]>`
    INSERT INTO "RateLimit" ("key", "count", "windowStart", "expiresAt")
    VALUES (${key}, 1, ${now}, ${resetAt})
    ON CONFLICT ("key") DO UPDATE SET
      "count" = CASE WHEN "RateLimit"."expiresAt" <= ${now} THEN 1 ELSE "RateLimit"."count" + 1 END,
      "windowStart" = CASE WHEN "RateLimit"."expiresAt" <= ${now} THEN ${now} ELSE "RateLimit"."windowStart" END,
      "expiresAt" = CASE WHEN "RateLimit"."expiresAt" <= ${now} THEN ${resetAt} ELSE "RateLimit"."expiresAt" END
    RETURNING "count", "expiresAt"`;
  const row = rows[0]!;
  return { count: Number(row.count), resetAt: new Date(row.expiresAt) };
}

export async function clearRateLimit(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}

/** Seconds until the window of a state that is over its limit ends, or 0 when within it. */
export function secondsOverLimit(state: RateLimitState, rule: RateLimitRule, now = new Date()): number {
  if (state.count <= rule.limit) return 0;
  return Math.max(1, Math.ceil((state.resetAt.getTime() - now.getTime()) / 1000));
}

/** Gives back one hit, for an attempt that turned out legitimate. One statement (Prisma's updateMany wraps its UPDATE in BEGIN … COMMIT). */
export async function releaseRateLimit(key: string): Promise<void> {
  await db().$executeRaw`UPDATE "RateLimit" SET "count" = "count" - 1 WHERE "key" = ${key} AND "count" > 0`;
}
