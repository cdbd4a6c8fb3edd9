import { decode } from "next-auth/jwt";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { authSecret } from "../env";
import { getOrgPolicy } from "../policy/queries";
import { mfaStatus } from "../verification/methods";
import { requestInfo } from "../http/request-info";
import { orgContextFromSession, type OrgContext } from "./org-context";
import { sessionCookieName } from "./options";
import { resolveSession, type ActiveSession } from "./session";

/**
 * The live server-side session of this request, or null. Checked against the
 * database once per request, with the request's IP for the org's IP lock.
 */
export const currentSession = cache(async (): Promise<ActiveSession | null> => {
  const cookie = (await cookies()).get(sessionCookieName())?.value;
  if (!cookie) return null;
  const jwt = await decode({ token: cookie, secret: authSecret() }).catch(() => null);
  return resolveSession(jwt?.sid, requestInfo(await headers()));
});

export const MFA_ENROLMENT_PATH = "/settings/advanced?enrol=mfa";

/**
 * The signed-in user's org context; anyone else is sent to /login. When the
 * org requires MFA (past any grace date) and the user has no second factor,
 * every page but the one where they enrol sends them there.
 */
export async function requireOrgContext(options: { enrolmentPage?: boolean } = {}): Promise<OrgContext> {
  const session = await currentSession();
  if (!session) redirect("/login");
  const ctx = orgContextFromSession(session);
  if (!options.enrolmentPage) {
    const policy = await getOrgPolicy(ctx);
    if (policy.requireMfa && (await mfaStatus({ id: ctx.userId, orgId: ctx.orgId }, policy)).enrolmentDue) redirect(MFA_ENROLMENT_PATH);
  }
  return ctx;
}

/** As requireOrgContext, and a standard user gets the 403 page. */
export async function requireAdminContext(): Promise<OrgContext> {
  const ctx = await requireOrgContext();
  if (ctx.role !== "ADMIN") forbidden();
  return ctx;
}

/**
 * For route handlers, which get no layout and no 403 page: the admin's org
 * context, or the plain-text refusal to send (401 signed out, 403 not an admin).
 */
export async function adminContextForRoute(what: string): Promise<OrgContext | Response> {
  const refuse = (status: number, text: string) => new Response(`${text}\n`, { status, headers: { "Cache-Control": "no-store" } });
  const session = await currentSession();
  if (!session) return refuse(401, `Sign in to export ${what}.`);
  const ctx = orgContextFromSession(session);
  if (ctx.role !== "ADMIN") return refuse(403, `Only admins of your org can export ${what}.`);
  return ctx;
}
