import "server-only";
import { recordAudit } from "../audit/mutations";
import { requireFreshAuth } from "../auth/freshness";
import type { AdminContext } from "../auth/org-context";
import { db } from "../db/client";
import { NotFoundError, UserFacingError } from "../errors";
import { formatDateTime } from "../format";

// A key flagged as a "possible cloned key" (its sign counter went backwards)
// stays unusable until an admin reviews it: clears the flag (audited) when the
// user explains it, for instance a key reset or a counter the user's other
// device advanced, or removes the key (removeUserKey).

/** An admin of the key's org clears its possible-clone flag, after "verify it's you"; recorded in the Setup Audit Trail. */
export async function clearKeyFlag(ctx: AdminContext, userId: string, keyId: string, now = new Date()): Promise<void> {
  await requireFreshAuth(ctx, now);
  await db().$transaction(async (tx) => {
    const key = await tx.securityKey.findFirst({
      where: { id: keyId, userId, orgId: ctx.orgId },
      select: { id: true, name: true, flaggedAt: true, user: { select: { username: true } } },
    });
    if (!key) throw new NotFoundError("That security key");
    if (!key.flaggedAt) throw new UserFacingError("This security key isn't flagged.");
    const { count } = await tx.securityKey.updateMany({ where: { id: key.id, userId, orgId: ctx.orgId, flaggedAt: { not: null } }, data: { flaggedAt: null } });
    if (count === 0) throw new UserFacingError("This security key isn't flagged.");
    await recordAudit(
      {
        orgId: ctx.orgId,
        actor: { id: ctx.userId, name: ctx.userName },
        action: "Cleared possible cloned key flag",
        section: "Users",
        targetId: userId,
        oldValue: `${key.user.username}: ${key.name} flagged ${formatDateTime(key.flaggedAt)}`,
        newValue: "Usable again",
        request: ctx.request,
      },
      tx,
    );
  });
}
