import "server-only";
import type { Elevated } from "../auth/freshness";
import { requirePermission } from "../auth/principal";
import { NotFoundError, UserFacingError } from "../errors";
import { recordEvent, withEvents } from "../events/record";

// A key flagged as a "possible cloned key" (its sign counter went backwards)
// stays unusable until an admin reviews it: clears the flag (audited) when the
// user explains it, for instance a key reset or a counter the user's other
// device advanced, or removes the key (removeUserKey).

/** An admin of the key's org clears its possible-clone flag, after "verify it's you"; recorded in the Setup Audit Trail. */
export async function clearKeyFlag(ctx: Elevated, userId: string, keyId: string): Promise<void> {
  requirePermission(ctx, "factors:manage");
  await withEvents(async (tx) => {
    const key = await tx.securityKey.findFirst({
      where: { id: keyId, userId, orgId: ctx.orgId },
      select: { id: true, name: true, aaguid: true, modelProven: true, flaggedAt: true, user: { select: { name: true, username: true } } },
    });
    if (!key) throw new NotFoundError("That security key");
    if (!key.flaggedAt) throw new UserFacingError("This security key isn't flagged.");
    const { count } = await tx.securityKey.updateMany({ where: { id: key.id, userId, orgId: ctx.orgId, flaggedAt: { not: null } }, data: { flaggedAt: null } });
    if (count === 0) throw new UserFacingError("This security key isn't flagged.");
    await recordEvent(
      ctx,
      {
        type: "user.security_key.flag_cleared",
        user: { id: userId, ...key.user },
        credential: { id: key.id, name: key.name, aaguid: key.aaguid, modelVerified: key.modelProven },
        data: { flaggedAt: key.flaggedAt },
      },
      tx,
    );
  });
}
