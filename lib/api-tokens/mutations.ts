import "server-only";
import { z } from "zod";
import type { SteppedUp } from "../auth/freshness";
import type { OrgContext } from "../auth/org-context";
import { TOKEN_GRANTABLE_PERMISSIONS, type Permission } from "../auth/permissions";
import { actorOf, requirePermission, systemPrincipal, type SystemPrincipal } from "../auth/principal";
import { col, query, rowMapper } from "../db/sql";
import { NotFoundError, UserFacingError } from "../errors";
import { recordEvent, withEvents, type EventBy, type EventTx } from "../events/record";
import type { ApiTokenRevocationReason } from "../events/types";
import { humanIssueMessage } from "../validation/messages";
import { createApiTokenSchema, createSystemTokenSchema, type CreateApiTokenInput, type CreateSystemTokenInput } from "./schema";
import { mintApiToken, type MintApiTokenInput, type MintedApiToken } from "./tokens";

// Making and revoking the Admin API's tokens (DESIGN.md section 12). An admin
// makes one in Setup after "verify it's you" (the SteppedUp brand: an API
// token cannot make tokens); the operator with `gatehouse token:create`.
// Every change is audited in its own transaction.

/** Live (unrevoked, unexpired) tokens an org may hold: enough for every pipeline, not an unbounded table. */
export const MAX_LIVE_TOKENS_PER_ORG = 100;

const DAY_MS = 86_400_000;
const SESSION_ENDED = "Your session has ended. Log in again.";

function scopesRefused(message: string): UserFacingError {
  return new UserFacingError(message, { scopes: message });
}

/** The scopes, each one the caller holds and a token may carry. */
function checkScopes(scopes: readonly Permission[], holder: ReadonlySet<Permission>): void {
  const notGrantable = scopes.filter((s) => !TOKEN_GRANTABLE_PERMISSIONS.includes(s));
  if (notGrantable.length > 0) throw scopesRefused(`A token cannot carry ${notGrantable.join(", ")}.`);
  const beyond = scopes.filter((s) => !holder.has(s));
  if (beyond.length > 0) throw scopesRefused(`You can only give a token permissions you have yourself: not ${beyond.join(", ")}.`);
}

async function mintAudited(by: EventBy, token: MintApiTokenInput, guard?: (tx: EventTx) => Promise<void>): Promise<MintedApiToken> {
  return withEvents(async (tx) => {
    await guard?.(tx);
    const live = await tx.apiToken.count({ where: { orgId: token.orgId, revokedAt: null, expiresAt: { gt: new Date() } } });
    if (live >= MAX_LIVE_TOKENS_PER_ORG) {
      throw new UserFacingError(`Your org already has ${MAX_LIVE_TOKENS_PER_ORG} API tokens in use. Revoke one you no longer need first.`);
    }
    const minted = await mintApiToken(token, tx);
    const { id: tokenId, name, displayPrefix, scopes, expiresAt } = minted;
    await recordEvent(by, { type: "api_token.created", data: { tokenId, name, displayPrefix, scopes, expiresAt } }, tx);
    return minted;
  });
}

/**
 * An admin's new token, after their fresh "verify it's you": a name, scopes
 * (each one the admin holds and a token may carry) and an expiry in 1–366
 * days. The secret is in the answer once; only its hash is kept.
 */
export async function createApiToken(ctx: SteppedUp, input: CreateApiTokenInput, now = new Date()): Promise<MintedApiToken> {
  requirePermission(ctx, "setup:read");
  const parsed = createApiTokenSchema.safeParse(input, { error: humanIssueMessage });
  if (!parsed.success) throw new UserFacingError(parsed.error.issues[0]?.message ?? "Check the highlighted fields.");
  const { name, scopes, expiresInDays } = parsed.data;
  checkScopes(scopes, ctx.permissions);
  return mintAudited(
    ctx,
    {
      orgId: ctx.orgId,
      name,
      scopes,
      expiresAt: new Date(now.getTime() + expiresInDays * DAY_MS),
      createdBy: { id: ctx.userId, name: ctx.userName },
    },
    (tx) => holdLiveSession(tx, ctx),
  );
}

/**
 * Locks the creator's session row, refusing when it has ended: a "This wasn't
 * me" report, a password reset or a deactivation that ends it either came
 * first (and the token is refused) or waits for this token to exist (and
 * revokes it).
 */
async function holdLiveSession(tx: EventTx, ctx: OrgContext): Promise<void> {
  const live = await query(
    rowMapper({ one: col.int }),
    `SELECT 1 AS "one" FROM "Session" WHERE "id" = $1::uuid AND "orgId" = $2::uuid AND "userId" = $3::uuid AND "revokedAt" IS NULL FOR UPDATE`,
    [ctx.sessionId, ctx.orgId, ctx.userId],
    tx,
  );
  if (live.length === 0) throw new UserFacingError(SESSION_ENDED);
}

/**
 * The operator's `gatehouse token:create`: a token of the system (it stops
 * working only when revoked or expired), with scopes and expiry named
 * explicitly. For the command line only: never reachable from a request.
 */
export async function createSystemToken(input: CreateSystemTokenInput, now = new Date()): Promise<MintedApiToken & { orgId: string; orgSlug: string }> {
  const parsed = createSystemTokenSchema.safeParse(input, { error: humanIssueMessage });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserFacingError(`${issue?.path.join(".") || "input"}: ${issue?.message ?? "invalid"}`);
  }
  const { orgSlug, name, scopes, expiresInDays } = parsed.data;
  const system = await systemPrincipal({ slug: orgSlug }, "Command line: token:create");
  checkScopes(scopes, system.permissions);
  const minted = await mintAudited(system, {
    orgId: system.orgId,
    name,
    scopes,
    expiresAt: new Date(now.getTime() + expiresInDays * DAY_MS),
    createdBy: null,
  });
  return { ...minted, orgId: system.orgId, orgSlug: system.orgSlug };
}

/**
 * Revokes one of the org's tokens (an admin, after the page's confirmation, or
 * the operator). Idempotent: a token already revoked stays as it was and the
 * answer is the same; another org's token is not found.
 */
export async function revokeApiToken(ctx: OrgContext | SystemPrincipal, tokenId: string, now = new Date()): Promise<{ alreadyRevoked: boolean }> {
  requirePermission(ctx, "setup:read");
  if (!z.uuid().safeParse(tokenId).success) throw new NotFoundError("That API token");
  return withEvents(async (tx) => {
    const token = await tx.apiToken.findFirst({ where: { id: tokenId, orgId: ctx.orgId }, select: { id: true, name: true, revokedAt: true } });
    if (!token) throw new NotFoundError("That API token");
    const revoked = await tx.apiToken.updateMany({
      where: { id: token.id, orgId: ctx.orgId, revokedAt: null },
      data: { revokedAt: now, revokedByName: actorOf(ctx).name },
    });
    if (revoked.count === 0) return { alreadyRevoked: true };
    await recordEvent(ctx, { type: "api_token.revoked", data: { tokenId: token.id, name: token.name, reason: "revoked" } }, tx);
    return { alreadyRevoked: false };
  });
}

const REVOKED_BY: Record<Exclude<ApiTokenRevocationReason, "revoked">, string> = {
  "creator-contained": "Gatehouse: its creator reported “This wasn't me”",
  "creator-password-reset": "Gatehouse: an admin reset its creator's password",
  "creator-deactivated": "Gatehouse: its creator was deactivated",
  "creator-demoted": "Gatehouse: its creator is no longer an admin",
};

/**
 * Revokes every live token a user created, in the transaction of what makes
 * them untrustworthy: a "This wasn't me" report, an admin's password reset.
 * `by` is who did that (the event's actor); by default the system. Each token
 * revoked is audited with the creator as its target.
 */
export async function revokeTokensCreatedBy(
  userId: string,
  reason: Exclude<ApiTokenRevocationReason, "revoked">,
  tx: EventTx,
  by?: EventBy,
  now = new Date(),
): Promise<number> {
  const tokens = await tx.apiToken.findMany({ where: { createdById: userId, revokedAt: null }, select: { id: true, orgId: true, name: true } });
  if (tokens.length === 0) return 0;
  await tx.apiToken.updateMany({
    where: { id: { in: tokens.map((t) => t.id) }, revokedAt: null },
    data: { revokedAt: now, revokedByName: REVOKED_BY[reason] },
  });
  for (const token of tokens) {
    const origin = by ?? { orgId: token.orgId, actor: { kind: "system" as const, id: null, name: "Gatehouse" }, request: null };
    await recordEvent(origin, { type: "api_token.revoked", user: { id: userId }, data: { tokenId: token.id, name: token.name, reason } }, tx);
  }
  return tokens.length;
}
