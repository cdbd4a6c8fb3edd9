import "server-only";
import { isPermission, type Permission } from "../auth/permissions";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";

/** Whether a token works now, and if not, why: what the list shows beside it. */
export type ApiTokenStatus = "active" | "expired" | "revoked" | "creator-inactive";

export interface ApiTokenListItem {
  id: string;
  name: string;
  displayPrefix: string;
  scopes: Permission[];
  /** The admin's name, or "Command line" for the operator's tokens. */
  createdByName: string;
  createdById: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedByName: string | null;
  status: ApiTokenStatus;
}

/** How many tokens the list shows: live ones first, then the most recent of the rest. */
const LIST_LIMIT = 200;

/** The org's API tokens for Setup → API Tokens: live first, newest first. Never a secret, nor its hash. */
export async function listApiTokens(ctx: Principal, now = new Date()): Promise<ApiTokenListItem[]> {
  requirePermission(ctx, "setup:read");
  const rows = await db().apiToken.findMany({
    where: { orgId: ctx.orgId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: LIST_LIMIT,
    select: {
      id: true,
      name: true,
      displayPrefix: true,
      scopes: true,
      createdById: true,
      createdByName: true,
      createdAt: true,
      expiresAt: true,
      lastUsedAt: true,
      lastUsedIp: true,
      revokedAt: true,
      revokedByName: true,
      createdBy: { select: { isActive: true, role: true, name: true } },
    },
  });
  const items = rows.map(({ createdBy, ...row }): ApiTokenListItem => {
    const status: ApiTokenStatus = row.revokedAt
      ? "revoked"
      : row.expiresAt.getTime() <= now.getTime()
        ? "expired"
        : row.createdById !== null && (!createdBy?.isActive || createdBy.role !== "ADMIN")
          ? "creator-inactive"
          : "active";
    return { ...row, createdByName: createdBy?.name ?? row.createdByName, scopes: row.scopes.filter(isPermission), status };
  });
  return items.sort((a, b) => Number(b.status === "active") - Number(a.status === "active"));
}
