import { enqueueEmail } from "../email/outbox";
import type { OrgContext } from "../auth/org-context";
import type { Prisma } from "../db/generated/client";
import { env } from "../env";
import { describeBrowser, type RequestInfo } from "../http/request-info";

// Key notifications go through the outbox inside the transaction that adds or
// removes the key, so the email exists exactly when the change does.

type Tx = Prisma.TransactionClient;

export interface KeyChange {
  name: string;
  model: string | null;
  at: Date;
  request: RequestInfo;
}

/** Emails the user about a key added to or removed from their account. */
async function notifyKeyChange(
  tx: Tx,
  ctx: OrgContext,
  template: "security-key-registered" | "security-key-removed",
  change: KeyChange,
): Promise<void> {
  const user = await tx.user.findFirstOrThrow({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { email: true, name: true } });
  await enqueueEmail(tx, {
    orgId: ctx.orgId,
    to: user.email,
    template,
    data: {
      name: user.name,
      orgName: ctx.orgName,
      keyName: change.name,
      model: change.model ?? "Unknown model",
      at: change.at,
      ip: change.request.ip,
      browser: describeBrowser(change.request.userAgent),
      manageLink: `${env().APP_URL}/settings/advanced`,
    },
  });
}

export const notifyKeyRegistered = (tx: Tx, ctx: OrgContext, change: KeyChange) => notifyKeyChange(tx, ctx, "security-key-registered", change);
export const notifyKeyRemoved = (tx: Tx, ctx: OrgContext, change: KeyChange) => notifyKeyChange(tx, ctx, "security-key-removed", change);
