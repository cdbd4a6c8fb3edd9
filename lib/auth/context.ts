import "server-only";
import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { authSecret } from "../env";
import { ForbiddenError } from "../errors";
import { requestInfo, type RequestInfo } from "../http/request-info";
import { mfaStatus } from "../verification/methods";
import { proveMailbox, stepUp, type MailboxProved, type SteppedUp } from "./freshness";
import { sessionCookieName } from "./options";
import { isAdmin, type AdminContext, type OrgContext } from "./org-context";
import { permissionsOfRole } from "./permissions";
import { resolveSession } from "./session";

// The one way to learn who is calling. Pages, server actions, JSON routes and
// CSV exports all go through `currentContext()` (cached per request) and then
// `authorize()` with what the endpoint needs: a signed-in user or an admin, and
// whether it stays open while the user's MFA enrolment is due.

export type { AdminContext, OrgContext };

/** What an entry point requires of its caller. */
export interface Access {
  role?: "ADMIN";
  /** Open to a session whose only permitted business is enrolling a first second factor (and logging out). */
  duringEnrolment?: boolean;
  /** "Verify it's you" within the org's window; a function decides from the validated input (granting Admin). */
  stepUp?: boolean | ((input: never) => boolean);
  /** The emailed enrolment code while a first factor is being enrolled (DESIGN.md section 9). */
  mailboxProof?: boolean;
  /**
   * What the org's settings must allow before any proof is asked for (throws its own refusal): nobody is asked
   * to verify it's them for something the org has turned off.
   */
  precondition?: (ctx: OrgContext) => void;
}

/** The context an entry point's handler receives: narrowed by role and branded with the proofs it declared. */
export type Admitted<O extends Access> = (O["role"] extends "ADMIN" ? AdminContext : OrgContext) &
  (O["stepUp"] extends true ? SteppedUp : unknown) &
  (O["mailboxProof"] extends true ? MailboxProved : unknown);

export const MFA_ENROLMENT_PATH = "/settings/advanced?enrol=mfa";
export const MFA_ENROLMENT_REQUIRED =
  "Your org requires multi-factor authentication. Register a security key or connect an authenticator app before you do anything else.";

export const KEY_ENROLMENT_REQUIRED = "Your org requires a security key for your role. Register a security key before you do anything else.";

/** The session may do nothing but enrol a second factor (or, when its role requires one, a security key). */
export class EnrolmentRequiredError extends ForbiddenError {
  override readonly code = "mfa-enrolment-required";
  constructor(message = MFA_ENROLMENT_REQUIRED) {
    super(message);
    this.name = "EnrolmentRequiredError";
  }
}

/** A standard user at an admin-only endpoint. */
export class AdminRequiredError extends ForbiddenError {
  constructor() {
    super();
    this.name = "AdminRequiredError";
  }
}

/**
 * The org context a session token resolves to, or null: session → user → org
 * → role, the org's policy (read once, with the session), the user's MFA
 * status and the request's IP and browser.
 */
export async function resolveOrgContext(sessionToken: string | null | undefined, request: RequestInfo, now = new Date()): Promise<OrgContext | null> {
  const session = await resolveSession(sessionToken, request, now);
  if (!session) return null;
  const base = {
    kind: "session" as const,
    orgId: session.orgId,
    orgSlug: session.orgSlug,
    orgName: session.orgName,
    userId: session.userId,
    username: session.username,
    userName: session.name,
    role: session.role,
    permissions: permissionsOfRole(session.role),
    sessionId: session.sessionId,
    policy: session.policy,
    request,
  };
  const mfa = await mfaStatus(base as OrgContext, now);
  return Object.freeze({ ...base, mfa }) as OrgContext;
}

/** This request's org context, resolved once per request from its session cookie; null when signed out. */
export const currentContext = cache(async (): Promise<OrgContext | null> => {
  const cookie = (await cookies()).get(sessionCookieName())?.value;
  const request = requestInfo(await headers());
  if (!cookie) return null;
  const jwt = await decode({ token: cookie, secret: authSecret() }).catch(() => null);
  return resolveOrgContext(jwt?.sid, request);
});

/** The context narrowed to what `access` demands, or the refusal (EnrolmentRequiredError, AdminRequiredError). */
export function authorize(ctx: OrgContext, access: Access & { role: "ADMIN" }): AdminContext;
export function authorize(ctx: OrgContext, access?: Access): OrgContext;
export function authorize(ctx: OrgContext, access: Access = {}): OrgContext {
  if (ctx.mfa.enrolmentDue && !access.duringEnrolment) throw new EnrolmentRequiredError();
  // The role's "Security key only" in force and no accepted key: the same enrolment-only session, for a key (DESIGN.md section 14).
  if (ctx.mfa.keyRequirement?.due && !access.duringEnrolment) throw new EnrolmentRequiredError(KEY_ENROLMENT_REQUIRED);
  if (access.role === "ADMIN" && !isAdmin(ctx)) throw new AdminRequiredError();
  return ctx;
}

/**
 * authorize(), then the proofs the entry point declares, earned from this
 * session (FreshAuthRequiredError, MailboxProofRequiredError): the mailbox
 * first, as the page asks for it first. `input` is the validated input, for a
 * step-up that depends on it.
 */
export async function admit<O extends Access>(ctx: OrgContext, access: O, input?: unknown): Promise<Admitted<O>> {
  const allowed = authorize(ctx, access);
  access.precondition?.(allowed);
  if (access.mailboxProof) await proveMailbox(allowed);
  const wantsStepUp = typeof access.stepUp === "function" ? (access.stepUp as (input: unknown) => boolean)(input) : Boolean(access.stepUp);
  if (wantsStepUp) await stepUp(allowed);
  return allowed as Admitted<O>;
}

/** The admin context of an admin's OrgContext, or null. */
export function adminContextOf(ctx: OrgContext): AdminContext | null {
  return isAdmin(ctx) ? ctx : null;
}
