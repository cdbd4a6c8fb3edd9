import "server-only";
import { ROLE_PERMISSIONS, SYSTEM_PERMISSIONS, isPermission, type Permission } from "../auth/permissions";
import { tokenPrincipal, type TokenPrincipal } from "../auth/principal";
import { hitRateLimit, secondsOverLimit } from "../auth/rate-limit";
import { db } from "../db/client";
import { execute, ts } from "../db/sql";
import { env } from "../env";
import { RateLimitedError, UserFacingError } from "../errors";
import { recordEvent } from "../events/record";
import { requestInfo } from "../http/request-info";
import { apiTokenCreatorMeetsRequirement } from "../policy/role-requirements";
import { isWellFormedApiTokenSecret, hashApiTokenSecret } from "./format";

// The Admin API's caller (DESIGN.md section 12): a bearer secret becomes a
// TokenPrincipal of the token's own org, or a 401 that says the same thing
// whatever went wrong. The shape and checksum are checked before the database
// is asked; the token's permissions are its scopes cut down to what its
// creator may do now (a creator deactivated or no longer an admin makes it
// stop working).

/** Why a token was refused: for logs and tests, never for the caller (they all read the same). */
export type ApiTokenFailure = "missing" | "malformed" | "unknown" | "expired" | "revoked" | "creator-inactive" | "creator-requirement-unmet";

export const API_TOKEN_REFUSED = "The API token is missing, invalid, expired or revoked.";

/** A request without a usable token: always 401 with one message, so nothing tells a guesser how close they came. */
export class ApiTokenError extends UserFacingError {
  override readonly status = 401;
  readonly code: string = "invalid-token";
  constructor(
    readonly reason: ApiTokenFailure,
    /** The token's id, when the secret named one (never the secret): for the log line. */
    readonly tokenId?: string,
  ) {
    super(API_TOKEN_REFUSED);
    this.name = "ApiTokenError";
  }
}

/** A token past its per-minute budget: 429 with Retry-After (retryAfterSeconds). */
export class ApiTokenRateLimitedError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    this.message = `Too many requests with this API token. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}.`;
    this.name = "ApiTokenRateLimitedError";
  }
}

/** Last used is written at most this often per token: a busy script costs one write a minute, not one per request. */
export const LAST_USED_EVERY_MS = 60_000;

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

function bearerSecret(request: Request): string {
  const header = request.headers.get("authorization")?.trim();
  if (!header) throw new ApiTokenError("missing");
  const secret = BEARER.exec(header)?.[1];
  if (!secret || !isWellFormedApiTokenSecret(secret)) throw new ApiTokenError("malformed");
  return secret;
}

/** The token's scopes that its creator (or, for the operator's tokens, the system) may still use; never "own account". */
function permissionsOf(scopes: readonly string[], creatorRole: "ADMIN" | "STANDARD" | null): Permission[] {
  const cap = new Set<Permission>(creatorRole === null ? SYSTEM_PERMISSIONS : ROLE_PERMISSIONS[creatorRole]);
  return scopes.filter(isPermission).filter((p) => cap.has(p) && p !== "account:self");
}

async function rateLimitToken(tokenId: string, now: Date): Promise<void> {
  const rule = { limit: env().API_TOKEN_REQUESTS_PER_MINUTE, windowSeconds: 60 };
  const wait = secondsOverLimit(await hitRateLimit(`api-token:${tokenId}`, rule, now), rule, now);
  if (wait > 0) throw new ApiTokenRateLimitedError(wait);
}

/**
 * The principal of the request's `Authorization: Bearer gatehouse_pat_…`
 * token. Throws ApiTokenError (401; `reason` says why, for logs) or
 * ApiTokenRateLimitedError (a RateLimitedError: 429 with retryAfterSeconds).
 */
export async function resolveApiToken(request: Request, options: { now?: Date } = {}): Promise<TokenPrincipal> {
  try {
    return await resolve(request, options.now ?? new Date());
  } catch (error) {
    // The caller reads one message whatever went wrong; the operator's log says why (a missing header is no news).
    if (error instanceof ApiTokenError && error.reason !== "missing") {
      const ip = requestInfo(request.headers).ip ?? "an unknown IP";
      console.warn(`[api-token] refused (${error.reason})${error.tokenId ? ` token ${error.tokenId}` : ""} from ${ip}`);
    }
    throw error;
  }
}

async function resolve(request: Request, now: Date): Promise<TokenPrincipal> {
  const secret = bearerSecret(request);
  const token = await db().apiToken.findUnique({
    where: { secretHash: hashApiTokenSecret(secret) },
    select: {
      id: true,
      orgId: true,
      name: true,
      scopes: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      createdById: true,
      createdBy: { select: { isActive: true, role: true } },
    },
  });
  if (!token) throw new ApiTokenError("unknown");
  if (token.revokedAt) throw new ApiTokenError("revoked", token.id);
  if (token.expiresAt.getTime() <= now.getTime()) throw new ApiTokenError("expired", token.id);
  const creator = token.createdById === null ? null : token.createdBy;
  if (token.createdById !== null && (!creator || !creator.isActive || creator.role !== "ADMIN")) throw new ApiTokenError("creator-inactive", token.id);
  // Requirements by role (DESIGN.md section 14): only while its creator meets their role's requirement (a key, once in force).
  if (token.createdById !== null && !(await apiTokenCreatorMeetsRequirement({ userId: token.createdById, orgId: token.orgId }, now))) {
    throw new ApiTokenError("creator-requirement-unmet", token.id);
  }

  await rateLimitToken(token.id, now);
  const info = requestInfo(request.headers);
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    // Conditional, so concurrent requests of one token write it once.
    await execute(
      `UPDATE "ApiToken" SET "lastUsedAt" = $2::timestamp, "lastUsedIp" = $3
       WHERE "id" = $1::uuid AND ("lastUsedAt" IS NULL OR "lastUsedAt" <= $4::timestamp)`,
      [token.id, ts(now), info.ip, ts(new Date(now.getTime() - LAST_USED_EVERY_MS))],
    );
  }
  const permissions = permissionsOf(token.scopes, creator ? creator.role : null);
  return tokenPrincipal(token.orgId, { id: token.id, name: token.name, permissions, createdById: token.createdById }, info);
}

/**
 * Audits a token's request refused for a scope it lacks (the API calls it
 * before answering 403). At most one event per token and permission a minute:
 * a script looping on a 403 does not flood the trail.
 */
export async function recordScopeDenied(principal: TokenPrincipal, permission: Permission, now = new Date()): Promise<void> {
  const first = await hitRateLimit(`api-token-denied:${principal.tokenId}:${permission}`, { limit: 1, windowSeconds: 60 }, now);
  if (first.count > 1) return;
  await recordEvent(principal, { type: "api_token.scope_denied", at: now, data: { tokenId: principal.tokenId, name: principal.tokenName, permission } });
}
