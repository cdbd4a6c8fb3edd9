import "server-only";
import type { Prisma } from "../db/generated/client";

/**
 * Locks the user's row for the rest of the transaction. Checks that count a
 * user's methods before changing them (the 10-key cap, "not your last second
 * factor") take this first, so two parallel requests of one user run one
 * after the other instead of both passing the check.
 */
export async function lockUserRow(tx: Prisma.TransactionClient, user: { orgId: string; userId: string }): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "User" WHERE "id" = ${user.userId}::uuid AND "orgId" = ${user.orgId}::uuid FOR UPDATE`;
}
