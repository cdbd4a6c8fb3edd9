import "server-only";
import { enqueueEmail } from "../email/outbox";
import type { OrgContext, UserSubject } from "../auth/org-context";
import type { Prisma } from "../db/generated/client";
import { env } from "../env";
import { describeBrowser, type RequestInfo } from "../http/request-info";
import { enqueueSecurityEmail, releaseHeldSecurityEmail } from "../users/wasnt-me-links";

// Key notifications go through the outbox inside the transaction that adds or
// removes the key, so the email exists exactly when the change does.

type Tx = Prisma.TransactionClient;

export interface KeyChange {
  /** The key added (undone by "This wasn't me"); none for a removal. */
  keyId?: string;
  name: string;
  model: string | null;
  at: Date;
  request: RequestInfo;
}

/** The email about a key added to or removed from the user's account. */
async function keyChangeEmail<T extends "security-key-registered" | "security-key-removed">(tx: Tx, ctx: OrgContext, template: T, change: KeyChange) {
  const user = await tx.user.findFirstOrThrow({ where: { id: ctx.userId, orgId: ctx.orgId }, select: { email: true, name: true } });
  return {
    orgId: ctx.orgId,
    userId: ctx.userId,
    to: user.email,
    template,
    summary: `A security key named “${change.name}” was ${template === "security-key-registered" ? "registered to" : "removed from"} your account.`,
    subjectId: template === "security-key-registered" ? (change.keyId ?? null) : null,
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
  };
}

/** How long a new key's email waits for "Name your key" before it goes out with the default name. */
export const KEY_NAMING_GRACE_MS = 3 * 60_000;

/** Queues the "registered" email, held back until the user names the key (or the grace period ends). */
export async function notifyKeyRegistered(tx: Tx, ctx: OrgContext, change: KeyChange): Promise<{ id: string }> {
  const email = await keyChangeEmail(tx, ctx, "security-key-registered", change);
  return enqueueSecurityEmail(tx, email, change.at, { notBefore: new Date(change.at.getTime() + KEY_NAMING_GRACE_MS) });
}

/** The key got its name: the held email now carries it and leaves at once (unless it already left). */
export async function releaseKeyRegisteredEmail(tx: Tx, ctx: OrgContext, emailId: string, change: KeyChange): Promise<boolean> {
  return releaseHeldSecurityEmail(tx, emailId, await keyChangeEmail(tx, ctx, "security-key-registered", change));
}

export async function notifyKeyRemoved(tx: Tx, ctx: OrgContext, change: KeyChange): Promise<void> {
  await enqueueSecurityEmail(tx, await keyChangeEmail(tx, ctx, "security-key-removed", change), change.at);
}

/**
 * A key answered with a sign counter that went backwards: its owner and every
 * active admin of the org are emailed, in the transaction that flags the key.
 */
export async function notifyPossibleClone(
  tx: Tx,
  owner: UserSubject,
  key: { name: string; model: string | null },
  at: Date,
  request: RequestInfo,
): Promise<void> {
  const user = await tx.user.findFirstOrThrow({
    where: { id: owner.userId, orgId: owner.orgId },
    select: { email: true, name: true, username: true, org: { select: { name: true } } },
  });
  const facts = {
    orgName: user.org.name,
    keyName: key.name,
    model: key.model ?? "Unknown model",
    at,
    ip: request.ip,
    browser: describeBrowser(request.userAgent),
  };
  await enqueueEmail(tx, {
    orgId: owner.orgId,
    to: user.email,
    template: "security-key-possibly-cloned",
    data: { ...facts, name: user.name, manageLink: `${env().APP_URL}/settings/advanced` },
  });
  const admins = await tx.user.findMany({ where: { orgId: owner.orgId, role: "ADMIN", isActive: true }, select: { email: true, name: true } });
  for (const admin of admins) {
    await enqueueEmail(tx, {
      orgId: owner.orgId,
      to: admin.email,
      template: "security-key-possibly-cloned-admin",
      data: { ...facts, name: admin.name, username: user.username, manageLink: `${env().APP_URL}/setup/users/${owner.userId}` },
    });
  }
}
