import "server-only";
import type { PendingLogin, Role } from "../db/generated/client";
import type { RequestInfo } from "../http/request-info";
import type { MfaStatus, OrgPolicy } from "../policy/rules";
import type { Permission } from "./permissions";

// Who is calling, as the server established it. Every lib service that reads
// or writes tenant data takes one of these subjects, never a plain `{ orgId }`
// or a string, and scopes every query by the subject's `orgId`. The brands make
// the types impossible to build by hand: only the resolvers construct them —
// `resolveOrgContext` (lib/auth/context.ts) from a live session,
// `requirePendingLogin` (lib/auth/login/pending-login.ts) from a live pending login,
// and the password step (lib/auth/login/login.ts) for a user whose password it
// has just checked.

declare const orgContextBrand: unique symbol;
declare const adminContextBrand: unique symbol;
declare const pendingLoginBrand: unique symbol;
declare const passwordCheckedBrand: unique symbol;

/** A signed-in user of an org, with the org's policy and the request, resolved once per request. */
export type OrgContext = {
  readonly kind: "session";
  readonly orgId: string;
  readonly orgSlug: string;
  readonly orgName: string;
  readonly userId: string;
  readonly username: string;
  readonly userName: string;
  readonly role: Role;
  /** What the user's role allows (lib/auth/permissions.ts): services check these, never the role. */
  readonly permissions: ReadonlySet<Permission>;
  readonly sessionId: string;
  /** The org's Session Settings as of this request: the only policy read a request makes. */
  readonly policy: OrgPolicy;
  /** Where the user stands against the org's MFA requirement. */
  readonly mfa: MfaStatus;
  /** The request's client IP and browser, for histories, audit rows and emails. */
  readonly request: RequestInfo;
  readonly [orgContextBrand]: true;
};

/** An OrgContext whose user is an admin of the org: admin-only services require it in their signature. */
export type AdminContext = OrgContext & { readonly role: "ADMIN"; readonly [adminContextBrand]: true };

/** A half-logged-in browser on /verify: its live pending login, with the org's policy. */
export type PendingLoginSubject = PendingLogin & {
  readonly kind: "pending-login";
  readonly policy: OrgPolicy;
  readonly [pendingLoginBrand]: true;
};

/** A user whose password the password step has just checked, before a pending login exists. */
export type PasswordCheckedUser = {
  readonly kind: "password-checked";
  readonly orgId: string;
  readonly userId: string;
  readonly policy: OrgPolicy;
  readonly [passwordCheckedBrand]: true;
};

/** Any established subject: what services about one user's own methods accept. */
export type UserSubject = OrgContext | PendingLoginSubject | PasswordCheckedUser;

export function isAdmin(ctx: OrgContext): ctx is AdminContext {
  return ctx.role === "ADMIN";
}
