import "server-only";
import type { Elevated, SteppedUp } from "../auth/freshness";
import type { OrgContext } from "../auth/org-context";
import { actorOf, requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { NotFoundError } from "../errors";
import { describeBrowser } from "../http/request-info";
import { enqueueEmail } from "../email/outbox";
import { env } from "../env";
import { recordEvent, withEvents } from "../events/record";
import { assertNotLastRequiredMethod } from "../verification/methods";
import { assertNotLastRequiredKey } from "../policy/role-requirements";
import { lockUserRow } from "../users/locks";
import { modelName } from "./aaguids";
import { notifyKeyRemoved, releaseKeyRegisteredEmail } from "./notifications";

export interface KeySummary {
  id: string;
  name: string;
  model: string | null;
  aaguid: string;
  /** The model was proven at registration (attestation chain to a trusted root); otherwise it is only what the key claimed. */
  modelVerified: boolean;
  /** What proved it ("Yubico", "FIDO MDS", the operator's roots), or why it is unproven. */
  modelProof: string | null;
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  flagged: boolean;
  /** Suspended by a "This wasn't me" report: counts as a factor, verifies nothing, until an admin restores or removes it. */
  suspended: boolean;
}

/** The signed-in user's own keys. */
export function listOwnKeys(ctx: OrgContext): Promise<KeySummary[]> {
  return keysOf(ctx, ctx.userId);
}

/** An admin's view of one user's keys (Setup → Users); another org's user has none to show. */
export function listUserKeys(ctx: Principal, userId: string): Promise<KeySummary[]> {
  requirePermission(ctx, "setup:read");
  return keysOf(ctx, userId);
}

async function keysOf(ctx: Principal, userId: string): Promise<KeySummary[]> {
  const keys = await db().securityKey.findMany({
    where: { userId, orgId: ctx.orgId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      name: true,
      aaguid: true,
      modelProven: true,
      modelProofDetail: true,
      transports: true,
      createdAt: true,
      lastUsedAt: true,
      flaggedAt: true,
      suspendedAt: true,
    },
  });
  return keys.map((k) => ({
    id: k.id,
    name: k.name,
    model: modelName(k.aaguid),
    aaguid: k.aaguid,
    modelVerified: k.modelProven,
    modelProof: k.modelProofDetail,
    transports: k.transports,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    flagged: k.flaggedAt !== null,
    suspended: k.suspendedAt !== null,
  }));
}

/**
 * Renames one of the user's own keys; another user's key id is not found.
 * The first name a new key gets ("Name your key") also goes into its history
 * row and its held-back "registered" email, which then leaves at once.
 */
export async function renameOwnKey(ctx: OrgContext, keyId: string, name: string): Promise<void> {
  await withEvents(async (tx) => {
    const key = await tx.securityKey.findFirst({
      where: { id: keyId, userId: ctx.userId, orgId: ctx.orgId },
      select: { name: true, aaguid: true, createdAt: true, registrationEmailId: true, registrationEventId: true },
    });
    if (!key) throw new NotFoundError("That security key");
    // Clearing the ids is the claim: of two racing renames, one finalizes.
    const { count } = await tx.securityKey.updateMany({
      where: { id: keyId, userId: ctx.userId, orgId: ctx.orgId, registrationEmailId: key.registrationEmailId, registrationEventId: key.registrationEventId },
      data: { name, registrationEmailId: null, registrationEventId: null },
    });
    if (count === 0) throw new NotFoundError("That security key");
    // A recorded event is never rewritten: the new name is an event of its own. The history row of the
    // registration (a view, which carries the event's id as a UUID) shows the name the user chose.
    await recordEvent(ctx, { type: "user.security_key.renamed", user: { id: ctx.userId }, credential: { id: keyId, name }, data: { from: key.name } }, tx);
    if (key.registrationEventId) {
      await tx.verificationEvent.updateMany({ where: { id: key.registrationEventId, orgId: ctx.orgId, userId: ctx.userId }, data: { detail: name } });
    }
    if (key.registrationEmailId) {
      await releaseKeyRegisteredEmail(tx, ctx, key.registrationEmailId, { keyId, name, model: modelName(key.aaguid), at: key.createdAt, request: ctx.request });
    }
  });
}

/** Removes one of the user's own keys after re-authentication; emails the user in the same transaction. */
export async function removeOwnKey(ctx: SteppedUp, keyId: string, now = new Date()): Promise<void> {
  requirePermission(ctx, "account:self");
  const { request } = ctx;
  const key = await db().securityKey.findFirst({ where: { id: keyId, userId: ctx.userId, orgId: ctx.orgId } });
  if (!key) throw new NotFoundError("That security key");
  await withEvents(async (tx) => {
    await lockUserRow(tx, ctx);
    await assertNotLastRequiredMethod(tx, ctx, "security-key");
    await assertNotLastRequiredKey(tx, ctx, keyId);
    const { count } = await tx.securityKey.deleteMany({ where: { id: keyId, userId: ctx.userId, orgId: ctx.orgId } });
    if (count === 0) throw new NotFoundError("That security key");
    await recordEvent(
      ctx,
      {
        type: "user.security_key.removed",
        user: { id: ctx.userId, name: ctx.userName, username: ctx.username },
        credential: { id: key.id, name: key.name, aaguid: key.aaguid, modelVerified: key.modelProven },
        data: { by: "self" },
      },
      tx,
    );
    await notifyKeyRemoved(tx, ctx, { name: key.name, model: modelName(key.aaguid), at: now, request });
  });
}

/**
 * An admin removes a user's key (lost or stolen), with a reason: own org only
 * (another org's key is not found), audited, and the user emailed, all in one
 * transaction.
 */
export async function removeUserKey(ctx: Elevated, userId: string, keyId: string, reason: string, now = new Date()): Promise<void> {
  const { request } = ctx;
  requirePermission(ctx, "factors:manage");
  await withEvents(async (tx) => {
    const key = await tx.securityKey.findFirst({
      where: { id: keyId, userId, orgId: ctx.orgId },
      include: { user: { select: { username: true, email: true, name: true } } },
    });
    if (!key) throw new NotFoundError("That security key");
    await tx.securityKey.delete({ where: { id: key.id } });
    await recordEvent(
      ctx,
      {
        type: "user.security_key.removed",
        user: { id: userId, name: key.user.name, username: key.user.username },
        credential: { id: key.id, name: key.name, aaguid: key.aaguid, modelVerified: key.modelProven },
        data: { by: "admin", reason },
      },
      tx,
    );
    await enqueueEmail(tx, {
      orgId: ctx.orgId,
      to: key.user.email,
      template: "security-key-removed-by-admin",
      data: {
        name: key.user.name,
        orgName: ctx.orgName,
        keyName: key.name,
        model: modelName(key.aaguid) ?? "Unknown model",
        at: now,
        ip: request.ip,
        browser: describeBrowser(request.userAgent),
        manageLink: `${env().APP_URL}/settings/advanced`,
        removedBy: actorOf(ctx).name,
        reason,
      },
    });
  });
}
