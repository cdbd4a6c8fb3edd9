import "server-only";
import { hashToken, randomToken } from "../crypto/tokens";
import { recordEvent } from "../events/record";
import { db } from "../db/client";
import type { Role } from "../db/generated/client";
import type { RequestInfo } from "../http/request-info";
import { effectivePolicy } from "../policy/effective";
import { idleTimeoutMs, type OrgPolicy } from "../policy/rules";

// Server-side sessions. The next-auth JWT carries only a random token; the row
// it names is checked on every request against the org's current Session
// Settings, so a session can be revoked, times out after the org's idle
// timeout (a changed timeout applies at the next request), is bound to its
// first IP when the org locks sessions, and ends when its user is deactivated.

/** lastSeenAt is written at most this often, to keep reads cheap. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ActiveSession {
  sessionId: string;
  userId: string;
  orgId: string;
  role: Role;
  username: string;
  name: string;
  orgSlug: string;
  orgName: string;
  /** The org's Session Settings, read with the session (one query for both). */
  policy: OrgPolicy;
}

export type SessionEndReason = "logout" | "idle-timeout" | "revoked" | "user-deactivated" | "ip-changed";

/** A new session with a fresh random token (a new id at every login). Returns the token. */
export async function createSession(
  user: { id: string; orgId: string },
  request: RequestInfo,
  freshAuthAt: Date | null = null,
): Promise<{ token: string; sessionId: string }> {
  const token = randomToken();
  const session = await db().session.create({
    data: {
      tokenHash: hashToken(token),
      userId: user.id,
      orgId: user.orgId,
      ip: request.ip,
      userAgent: request.userAgent,
      freshAuthAt,
    },
  });
  return { token, sessionId: session.id };
}

// The org's own Session Settings end a session (the trail shows "System").
const SESSION_POLICY = { kind: "system", id: null, name: "Session Settings" } as const;

/**
 * The live session a token names, or null. Ends sessions that idled out, whose
 * user was deactivated, or (when the org locks sessions to their IP) that are
 * used from an IP other than the one they started from.
 */
export async function resolveSession(token: string | undefined | null, request: RequestInfo, now = new Date()): Promise<ActiveSession | null> {
  if (!token) return null;
  const session = await db().session.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { user: true, org: { include: { settings: true } } },
  });
  if (!session || session.revokedAt) return null;

  if (!session.user.isActive) {
    await endSession(session.id, "user-deactivated", now);
    return null;
  }
  // Read with the session in one query; derived as policyFor would (lib/policy/effective.ts).
  const policy = effectivePolicy(session.org.settings, session.user.role);
  if (now.getTime() - session.lastSeenAt.getTime() > idleTimeoutMs(policy)) {
    await endSession(session.id, "idle-timeout", now);
    return null;
  }
  // Unknown IPs compare equal only to unknown IPs: a deployment that sees no client IP cannot lock to one.
  if (policy.lockSessionsToIp && session.ip !== request.ip) {
    if (await endSession(session.id, "ip-changed", now)) {
      await recordEvent(
        { orgId: session.orgId, actor: SESSION_POLICY, request },
        {
          type: "user.session.ended",
          user: { id: session.userId, name: session.user.name, username: session.user.username },
          data: { reason: "ip-changed", sessionIp: session.ip },
        },
      );
    }
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db().session.updateMany({ where: { id: session.id, revokedAt: null }, data: { lastSeenAt: now } });
  }
  return {
    sessionId: session.id,
    userId: session.userId,
    orgId: session.orgId,
    role: session.user.role,
    username: session.user.username,
    name: session.user.name,
    orgSlug: session.org.slug,
    orgName: session.org.name,
    policy,
  };
}

/** Ends a live session; true when this call ended it (false when it had already ended). */
export async function endSession(sessionId: string, reason: SessionEndReason, now = new Date()): Promise<boolean> {
  const { count } = await db().session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: now, revokedReason: reason },
  });
  return count > 0;
}

export async function endSessionByToken(token: string, reason: SessionEndReason): Promise<void> {
  await db().session.updateMany({
    where: { tokenHash: hashToken(token), revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
}
