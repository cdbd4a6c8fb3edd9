import "server-only";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";

// "Admin recovery required" (DESIGN.md section 10): who can recover an account
// a "This wasn't me" report left waiting. Another active admin of the org does
// it from the user's page in Setup; the org's only active admin is recovered
// by the operator from the command line (npm run user:recover).

export type RecoveryRoute = "admin" | "operator";

type Reader = Pick<Prisma.TransactionClient, "user">;

/** Active admins of the org other than this user: the people who can recover them. */
export function countOtherActiveAdmins(owner: { userId: string; orgId: string }, reader: Reader = db()): Promise<number> {
  return reader.user.count({ where: { orgId: owner.orgId, role: "ADMIN", isActive: true, id: { not: owner.userId } } });
}

export function recoveryRouteOf(otherActiveAdmins: number): RecoveryRoute {
  return otherActiveAdmins > 0 ? "admin" : "operator";
}

/** The user verified with a temporary code an admin (or the operator) issued: the account is recovered. */
export async function endAdminRecovery(owner: { userId: string; orgId: string }): Promise<void> {
  await db().user.updateMany({
    where: { id: owner.userId, orgId: owner.orgId, adminRecoveryRequiredAt: { not: null } },
    data: { adminRecoveryRequiredAt: null },
  });
}
