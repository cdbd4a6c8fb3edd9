import "server-only";
import { db } from "../db/client";
import { ForbiddenError, NotFoundError } from "../errors";
import type { RequestInfo } from "../http/request-info";
import { policyFromRow, type OrgPolicy } from "../policy/rules";
import type { OrgContext } from "./org-context";
import { SYSTEM_PERMISSIONS, type Permission } from "./permissions";

// Who is calling (DESIGN.md section 11). Every entry point resolves exactly
// one Principal and every org service takes one:
// - "session": a browser's signed-in user (OrgContext, resolved from the
//   session cookie by lib/auth/context.ts), with its MFA and freshness state;
// - "api-token": an org-scoped API token with the scopes it was issued;
// - "system": the operator's command line, workers and seeds.
// Services check a permission with `requirePermission`; step-up ("verify it's
// you") and mailbox proof are declared by the browser's entry point and carried
// as brands (lib/auth/freshness.ts), which only a session can earn.

declare const tokenBrand: unique symbol;
declare const systemBrand: unique symbol;

/** An org-scoped API token, as the API resolves it from its bearer secret. */
export type TokenPrincipal = {
  readonly kind: "api-token";
  readonly orgId: string;
  readonly orgSlug: string;
  readonly orgName: string;
  readonly tokenId: string;
  readonly tokenName: string;
  /** The admin who created the token (its permissions cap the token's), or null when the operator did. */
  readonly createdById: string | null;
  readonly permissions: ReadonlySet<Permission>;
  readonly policy: OrgPolicy;
  readonly request: RequestInfo;
  readonly [tokenBrand]: true;
};

/** The operator or a worker acting on one org: no user, no browser. */
export type SystemPrincipal = {
  readonly kind: "system";
  readonly orgId: string;
  readonly orgSlug: string;
  readonly orgName: string;
  /** What is acting, as the audit trail shows it ("Command line: user:recover", "Demo data"). */
  readonly label: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly policy: OrgPolicy;
  readonly request: RequestInfo;
  readonly [systemBrand]: true;
};

export type Principal = OrgContext | TokenPrincipal | SystemPrincipal;

/** Who an event names as its actor. */
export type Actor =
  | { readonly kind: "user"; readonly id: string; readonly name: string }
  | { readonly kind: "api-token"; readonly id: string; readonly name: string }
  | { readonly kind: "system"; readonly id: null; readonly name: string };

export class PermissionDeniedError extends ForbiddenError {
  override readonly code = "permission-denied";
  constructor(readonly permission: Permission) {
    super();
    this.name = "PermissionDeniedError";
  }
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission);
}

/** Throws PermissionDeniedError unless the principal holds the permission. */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) throw new PermissionDeniedError(permission);
}

/** The actor an event or an email names for this principal. */
export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case "session":
      return { kind: "user", id: principal.userId, name: principal.userName };
    case "api-token":
      return { kind: "api-token", id: principal.tokenId, name: `API token "${principal.tokenName}"` };
    case "system":
      return { kind: "system", id: null, name: principal.label };
  }
}

/** The user behind the principal, or null for a token or the system: "yourself" checks use it. */
export function userIdOf(principal: Principal): string | null {
  return principal.kind === "session" ? principal.userId : null;
}

/**
 * The principal of an API token of an org: its scopes are its permissions
 * (never "own account": a token is nobody's browser). The Admin API resolves
 * it from a bearer secret; tests build one directly.
 */
export async function tokenPrincipal(
  orgId: string,
  token: { id: string; name: string; permissions: Iterable<Permission>; createdById?: string | null },
  request: RequestInfo,
): Promise<TokenPrincipal> {
  const row = await db().org.findUnique({ where: { id: orgId }, include: { settings: true } });
  if (!row) throw new NotFoundError("That org");
  const permissions = new Set([...token.permissions].filter((p) => p !== "account:self"));
  return Object.freeze({
    kind: "api-token",
    orgId: row.id,
    orgSlug: row.slug,
    orgName: row.name,
    tokenId: token.id,
    tokenName: token.name,
    createdById: token.createdById ?? null,
    permissions,
    policy: policyFromRow(row.settings),
    request,
  }) as unknown as TokenPrincipal;
}

const NO_REQUEST: RequestInfo = Object.freeze({ ip: null, userAgent: null });

/**
 * The system acting on one org (by id or slug), with every org-level
 * permission. For the operator's command line, workers and seeds only: never
 * reachable from a request.
 */
export async function systemPrincipal(org: { id: string } | { slug: string }, label: string): Promise<SystemPrincipal> {
  const row = await db().org.findUnique({ where: "id" in org ? { id: org.id } : { slug: org.slug }, include: { settings: true } });
  if (!row) throw new NotFoundError("That org");
  return Object.freeze({
    kind: "system",
    orgId: row.id,
    orgSlug: row.slug,
    orgName: row.name,
    label,
    permissions: new Set(SYSTEM_PERMISSIONS),
    policy: policyFromRow(row.settings),
    request: NO_REQUEST,
  }) as unknown as SystemPrincipal;
}
