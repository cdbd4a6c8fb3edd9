import "server-only";
import type { AdminContext } from "../auth/org-context";
import { db } from "../db/client";

/**
 * How many active users of the org would be left without a verification
 * method if security keys were turned off: those whose only method is a key.
 * Session Settings shows the count as a warning before such a save. Users who
 * also have a connected authenticator app keep a second factor and are not
 * counted (recovery codes are a backup, not a method of their own).
 */
export async function countUsersWhoseOnlyMethodIsSecurityKey(ctx: AdminContext): Promise<number> {
  return db().user.count({
    where: {
      orgId: ctx.orgId,
      isActive: true,
      securityKeys: { some: { orgId: ctx.orgId } },
      NOT: { authenticatorApp: { confirmedAt: { not: null } } },
    },
  });
}
