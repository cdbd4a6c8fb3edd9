import "server-only";
import { col, execute, query, rowMapper, ts } from "../db/sql";
import { sweepOccasionally } from "../db/sweep";

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
  const [state] = await hitRateLimits([{ key, rule }], now);
  return state!;
}

/**
 * Several hits in one statement (the login's per-account and per-IP counters);
 * states in the order given. Rows are locked in that order: callers that hit
 * and later clear or release the same keys keep to it, so two of them never
 * wait on each other's rows. Keys must be distinct.
 */
const hitRow = rowMapper({ key: col.text, count: col.int, expiresAt: col.timestamp });

export async function hitRateLimits(hits: { key: string; rule: RateLimitRule }[], now = new Date()): Promise<RateLimitState[]> {
  // Every anonymous request can add a row (a username, an address): expired ones are swept, or the table grows for ever.
  await sweepOccasionally("RateLimit", () => execute(`DELETE FROM "RateLimit" WHERE "expiresAt" < $1::timestamp`, [ts(new Date(now.getTime() - 60_000))]));
  const rows = await query(
    hitRow,
    `INSERT INTO "RateLimit" ("key", "count", "windowStart", "expiresAt")
     SELECT k, 1, $2::timestamp, $2::timestamp + make_interval(secs => w) FROM unnest($1::text[], $3::int[]) AS t(k, w)
     ON CONFLICT ("key") DO UPDATE SET
       "count" = CASE WHEN "RateLimit"."expiresAt" <= $2::timestamp THEN 1 ELSE "RateLimit"."count" + 1 END,
       "windowStart" = CASE WHEN "RateLimit"."expiresAt" <= $2::timestamp THEN $2::timestamp ELSE "RateLimit"."windowStart" END,
       "expiresAt" = CASE WHEN "RateLimit"."expiresAt" <= $2::timestamp THEN EXCLUDED."expiresAt" ELSE "RateLimit"."expiresAt" END
     RETURNING "key", "count", to_json("expiresAt") AS "expiresAt"`,
    [hits.map((h) => h.key), ts(now), hits.map((h) => h.rule.windowSeconds)],
  );
  const byKey = new Map(rows.map((row) => [row.key, { count: row.count, resetAt: row.expiresAt }]));
  return hits.map((h) => byKey.get(h.key)!);
}

export async function clearRateLimit(key: string): Promise<void> {
  await execute(`DELETE FROM "RateLimit" WHERE "key" = $1`, [key]);
}

/** Seconds until the window of a state that is over its limit ends, or 0 when within it. */
export function secondsOverLimit(state: RateLimitState, rule: RateLimitRule, now = new Date()): number {
  if (state.count <= rule.limit) return 0;
  return Math.max(1, Math.ceil((state.resetAt.getTime() - now.getTime()) / 1000));
}

/**
 * SQL: gives back one hit of the counter whose key is the parameter `keyParam`
 * (only when `onlyIf` holds, in a statement that does more). The one statement
 * of a release: releaseRateLimit runs it, and /verify's key step runs it in its CTE.
 */
export const releaseRateLimitSql = (keyParam: string, onlyIf?: string) =>
  `UPDATE "RateLimit" SET "count" = "count" - 1 WHERE "key" = ${keyParam} AND "count" > 0${onlyIf ? ` AND ${onlyIf}` : ""}`;

/** Gives back one hit, for an attempt that turned out legitimate. */
export async function releaseRateLimit(key: string): Promise<void> {
  await execute(releaseRateLimitSql("$1"), [key]);
}
