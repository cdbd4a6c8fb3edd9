import type { Role } from "../db/generated/client";
import type { ActiveSession } from "./session";

declare const orgContextBrand: unique symbol;

/**
 * The signed-in user's org, as established by a verified session. Every
 * tenant-owned query takes one and scopes by `orgId`; the only way to obtain
 * one is `orgContextFromSession`, so an org id from a form or URL cannot
 * become a context.
 */
export type OrgContext = {
  readonly orgId: string;
  readonly orgSlug: string;
  readonly orgName: string;
  readonly userId: string;
  readonly username: string;
  readonly userName: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly [orgContextBrand]: true;
};

export function orgContextFromSession(session: ActiveSession): OrgContext {
  return {
    orgId: session.orgId,
    orgSlug: session.orgSlug,
    orgName: session.orgName,
    userId: session.userId,
    username: session.username,
    userName: session.name,
    role: session.role,
    sessionId: session.sessionId,
  } as OrgContext;
}

export function isAdmin(ctx: OrgContext): boolean {
  return ctx.role === "ADMIN";
}
