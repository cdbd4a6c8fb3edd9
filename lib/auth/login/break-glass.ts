import "server-only";
import { db } from "../../db/client";
import { enqueueEmail } from "../../email/outbox";
import { env } from "../../env";
import { describeBrowser, type RequestInfo } from "../../http/request-info";
import type { PendingLoginSubject } from "../org-context";

// Break-glass (DESIGN.md section 14): a user whose role's "Security key only"
// is in force may still log in with a recovery code or an admin's temporary
// code, so nobody is locked out, and each such use emails the user and every
// active admin of the org.

/** After a recovery or temporary code verified a login: the emails, when the user's role requires a key. */
export async function notifyBreakGlass(
  pending: PendingLoginSubject,
  method: "Recovery code" | "Temporary code",
  request: RequestInfo,
  now = new Date(),
): Promise<boolean> {
  if (!pending.policy.roleRequirement?.inForce) return false;
  const facts = {
    method: method === "Recovery code" ? ("recovery code" as const) : ("temporary code" as const),
    at: now,
    ip: request.ip,
    browser: describeBrowser(request.userAgent),
  };
  await db().$transaction(async (tx) => {
    const user = await tx.user.findFirstOrThrow({
      where: { id: pending.userId, orgId: pending.orgId },
      select: { email: true, name: true, username: true, org: { select: { name: true } } },
    });
    const orgName = user.org.name;
    await enqueueEmail(tx, { orgId: pending.orgId, to: user.email, template: "role-requirement-break-glass", data: { ...facts, name: user.name, orgName } });
    const admins = await tx.user.findMany({ where: { orgId: pending.orgId, role: "ADMIN", isActive: true }, select: { id: true, email: true, name: true } });
    for (const admin of admins) {
      if (admin.id === pending.userId) continue; // an admin who broke the glass already has their own email
      await enqueueEmail(tx, {
        orgId: pending.orgId,
        to: admin.email,
        template: "role-requirement-break-glass-admin",
        data: {
          ...facts,
          name: admin.name,
          orgName,
          username: user.username,
          userName: user.name,
          manageLink: `${env().APP_URL}/setup/users/${pending.userId}`,
        },
      });
    }
  });
  return true;
}
