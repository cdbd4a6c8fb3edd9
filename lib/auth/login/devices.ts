import "server-only";
import { recordEvent, withEvents } from "../../events/record";
import { db } from "../../db/client";
import type { Prisma, User } from "../../db/generated/client";
import { cookieName } from "../cookies";
import { NotFoundError } from "../../errors";
import type { RequestInfo } from "../../http/request-info";
import type { OrgContext, PasswordCheckedUser, PendingLoginSubject } from "../org-context";
import { requirePermission, type Principal } from "../principal";
import { hashToken, randomToken } from "../../crypto/tokens";

// Device activation (DESIGN.md section 5): a browser that completed a
// verification for a user carries a long-lived httpOnly cookie with a random
// token; the server keeps only its hash, with the user, the first IP and
// browser, and the last time it was seen. One browser may be activated for
// several users (a shared computer): the cookie holds up to five tokens,
// newest first, and a token only ever counts for the user it was issued to.

export const DEVICE_COOKIE_MAX_AGE = 400 * 24 * 60 * 60; // the longest a browser keeps a cookie
const MAX_TOKENS_PER_BROWSER = 5;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function deviceCookieName(): string {
  return cookieName("device");
}

/** The well-formed tokens of a device cookie's value (anything else is ignored). */
export function deviceTokensOf(cookieValue: string | null | undefined): string[] {
  if (!cookieValue) return [];
  return cookieValue
    .split(".")
    .filter((t) => TOKEN_PATTERN.test(t))
    .slice(0, MAX_TOKENS_PER_BROWSER);
}

/** The cookie value after activating `token` on a browser that already carried `previous`. */
export function deviceCookieValue(token: string, previous: string | null | undefined): string {
  return [token, ...deviceTokensOf(previous).filter((t) => t !== token)].slice(0, MAX_TOKENS_PER_BROWSER).join(".");
}

/**
 * True when one of the browser's device tokens was activated for this user and
 * not revoked; the device's last-seen time is updated. Another user's token
 * counts as no token.
 */
export async function isActivatedDevice(user: PasswordCheckedUser, cookieValue: string | null | undefined, now = new Date()): Promise<boolean> {
  const tokens = deviceTokensOf(cookieValue);
  if (tokens.length === 0) return false;
  const { count } = await db().activatedDevice.updateMany({
    where: { tokenHash: { in: tokens.map(hashToken) }, userId: user.userId, orgId: user.orgId, revokedAt: null },
    data: { lastSeenAt: now },
  });
  return count > 0;
}

/**
 * The id of this browser's activated device for a user row the password step
 * looked up, or null; read-only. The password step uses it to count a known
 * browser's failed logins apart, so failures from elsewhere cannot lock it out.
 */
export async function knownDeviceId(user: Pick<User, "id" | "orgId">, cookieValue: string | null | undefined): Promise<string | null> {
  const tokens = deviceTokensOf(cookieValue);
  if (tokens.length === 0) return null;
  const device = await db().activatedDevice.findFirst({
    where: { tokenHash: { in: tokens.map(hashToken) }, userId: user.id, orgId: user.orgId, revokedAt: null },
    select: { id: true },
  });
  return device?.id ?? null;
}

/** Records a newly activated browser; returns the token for its cookie. */
export async function activateDevice(
  tx: Prisma.TransactionClient,
  user: PendingLoginSubject | PasswordCheckedUser,
  request: RequestInfo,
  now = new Date(),
): Promise<string> {
  const token = randomToken();
  await tx.activatedDevice.create({
    data: {
      tokenHash: hashToken(token),
      userId: user.userId,
      orgId: user.orgId,
      ip: request.ip,
      userAgent: request.userAgent,
      createdAt: now,
      lastSeenAt: now,
    },
  });
  return token;
}

export interface DeviceSummary {
  id: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

const deviceSummary = { id: true, ip: true, userAgent: true, createdAt: true, lastSeenAt: true } as const;

/** The signed-in user's activated browsers, most recently seen first. */
export function listOwnDevices(ctx: OrgContext): Promise<DeviceSummary[]> {
  return db().activatedDevice.findMany({
    where: { userId: ctx.userId, orgId: ctx.orgId, revokedAt: null },
    select: deviceSummary,
    orderBy: { lastSeenAt: "desc" },
  });
}

/** A user's activated browsers, for an admin of their org. */
export function listUserDevices(ctx: Principal, userId: string): Promise<DeviceSummary[]> {
  requirePermission(ctx, "setup:read");
  return db().activatedDevice.findMany({
    where: { userId, orgId: ctx.orgId, revokedAt: null },
    select: deviceSummary,
    orderBy: { lastSeenAt: "desc" },
  });
}

/** The user revokes one of their own activated browsers: its next login needs device activation again (recorded). */
export async function revokeOwnDevice(ctx: OrgContext, deviceId: string, now = new Date()): Promise<void> {
  requirePermission(ctx, "account:self");
  await revokeDevice(ctx, ctx.userId, deviceId, "user", now);
}

/** An admin revokes a user's activated browser (own org only; audited). */
export async function revokeUserDevice(ctx: Principal, userId: string, deviceId: string, now = new Date()): Promise<void> {
  requirePermission(ctx, "users:write");
  await revokeDevice(ctx, userId, deviceId, "admin", now);
}

async function revokeDevice(ctx: Principal, userId: string, deviceId: string, revokedBy: "user" | "admin", now: Date): Promise<void> {
  await withEvents(async (tx) => {
    const device = await tx.activatedDevice.findFirst({
      where: { id: deviceId, userId, orgId: ctx.orgId, revokedAt: null },
      include: { user: { select: { name: true, username: true } } },
    });
    // Conditional, so of two racing revocations one records the event and the other finds nothing.
    const revoked = device ? await tx.activatedDevice.updateMany({ where: { id: device.id, revokedAt: null }, data: { revokedAt: now, revokedBy } }) : null;
    if (!device || revoked?.count !== 1) throw new NotFoundError("That device");
    await recordEvent(
      ctx,
      {
        type: "user.device.revoked",
        user: { id: userId, name: device.user.name, username: device.user.username },
        data: { deviceId: device.id, activatedAt: device.createdAt, deviceIp: device.ip },
      },
      tx,
    );
  });
}
