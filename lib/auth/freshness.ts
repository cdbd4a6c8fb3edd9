import "server-only";
import { db } from "../db/client";
import { UserFacingError } from "../errors";
import type { OrgContext } from "./org-context";

// Freshness of "For security purposes, verify it's you": the proof lives on
// the server-side session and lapses after the org's re-authentication window.
// A leaf module, so every service that needs a fresh proof can ask without
// depending on how the proof is made (lib/auth/reauthentication.ts).

export const FRESH_AUTH_PROMPT = "For security purposes, verify it's you";

export class FreshAuthRequiredError extends UserFacingError {
  override readonly status = 401;
  readonly code = "fresh-auth-required";
  constructor() {
    super(`${FRESH_AUTH_PROMPT}.`);
  }
}

/** True when the user re-authenticated on this session within the org's window. */
export async function hasFreshAuth(ctx: OrgContext, now = new Date()): Promise<boolean> {
  const session = await db().session.findFirst({
    where: { id: ctx.sessionId, orgId: ctx.orgId, userId: ctx.userId, revokedAt: null },
    select: { freshAuthAt: true },
  });
  const at = session?.freshAuthAt;
  return Boolean(at && now.getTime() - at.getTime() <= ctx.policy.reauthWindowMinutes * 60_000 && at.getTime() <= now.getTime());
}

/** Throws FreshAuthRequiredError unless the user re-authenticated within the window. */
export async function requireFreshAuth(ctx: OrgContext, now = new Date()): Promise<void> {
  if (!(await hasFreshAuth(ctx, now))) throw new FreshAuthRequiredError();
}

/** Records a successful re-authentication on this session. */
export async function markFresh(ctx: OrgContext, now = new Date()): Promise<void> {
  await db().session.updateMany({ where: { id: ctx.sessionId, orgId: ctx.orgId, revokedAt: null }, data: { freshAuthAt: now } });
}
