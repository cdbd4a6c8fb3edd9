import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import type { RegisteredKeyModel } from "./rules";
import { COUNTED_APP, COUNTED_KEY } from "../verification/second-factors";

/**
 * How many active users of the org would be left without a verification
 * method if security keys were turned off: those whose only method is a key.
 * Session Settings shows the count as a warning before such a save. Users who
 * also have a connected authenticator app keep a second factor and are not
 * counted (recovery codes are a backup, not a method of their own).
 */
export async function countUsersWhoseOnlyMethodIsSecurityKey(ctx: Principal): Promise<number> {
  requirePermission(ctx, "setup:read");
  return db().user.count({
    where: {
      orgId: ctx.orgId,
      isActive: true,
      securityKeys: { some: { orgId: ctx.orgId, ...COUNTED_KEY } },
      NOT: { authenticatorApp: COUNTED_APP },
    },
  });
}

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
