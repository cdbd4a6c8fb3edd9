import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { col, query, rowMapper } from "../db/sql";
import type { RegisteredKeyModel } from "./rules";
import { countedAppSql, countedKeySql } from "../verification/second-factors";

/**
 * How many active users of the org would be left without a verification
 * method if security keys were turned off: those whose only method is a key.
 * Session Settings shows the count as a warning before such a save. Users who
 * also have a connected authenticator app keep a second factor and are not
 * counted (recovery codes are a backup, not a method of their own).
 */
export async function countUsersWhoseOnlyMethodIsSecurityKey(ctx: Principal): Promise<number> {
  requirePermission(ctx, "setup:read");
  // From the org's keys, not its users: a big org with few keys costs its keys (Session Settings loads it each time).
  const [row] = await query(
    onlyKeyCount,
    `SELECT count(DISTINCT k."userId")::int AS count
       FROM "SecurityKey" k JOIN "User" u ON u."id" = k."userId" AND u."orgId" = k."orgId"
      WHERE k."orgId" = $1::uuid AND ${countedKeySql("k")} AND u."isActive"
        AND NOT EXISTS (SELECT 1 FROM "AuthenticatorApp" a WHERE a."userId" = k."userId" AND ${countedAppSql("a")})`,
    [ctx.orgId],
    db(),
  );
  return row!.count;
}

const onlyKeyCount = rowMapper({ count: col.int });

/** The org's registered keys grouped by model and proof, for the "would stop working" count in Session Settings. */
export async function registeredKeyModels(ctx: Principal): Promise<RegisteredKeyModel[]> {
  requirePermission(ctx, "setup:read");
  const groups = await db().securityKey.groupBy({
    by: ["aaguid", "modelProven", "backupEligible"],
    where: { orgId: ctx.orgId, flaggedAt: null },
    _count: { _all: true },
  });
  return groups.map((g) => ({ aaguid: g.aaguid, proven: g.modelProven, platform: g.backupEligible, count: g._count._all }));
}
