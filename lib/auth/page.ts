import "server-only";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cookieName } from "./cookies";
import { AdminRequiredError, EnrolmentRequiredError, MFA_ENROLMENT_PATH, authorize, currentContext, type AdminContext, type OrgContext } from "./context";

// Pages get their context here: signed out → /login; enrolment due → the
// enrolment page; a standard user in Setup → the 403 page. The layout and the
// page share one resolution per request (currentContext is cached).

/** The signed-in user's org context. `enrolmentPage` marks the one page open while MFA enrolment is due. */
export async function requireOrgContext(options: { enrolmentPage?: boolean } = {}): Promise<OrgContext> {
  const ctx = await currentContext();
  // A session cookie that no longer opens a session: it timed out or was ended. /login says so.
  if (!ctx) redirect((await cookies()).has(cookieName("session")) ? "/login?reason=session-ended" : "/login");
  try {
    return authorize(ctx, { duringEnrolment: options.enrolmentPage });
  } catch (error) {
    if (error instanceof EnrolmentRequiredError) redirect(MFA_ENROLMENT_PATH);
    throw error;
  }
}

/** As requireOrgContext, and a standard user gets the 403 page. */
export async function requireAdminContext(): Promise<AdminContext> {
  const ctx = await requireOrgContext();
  try {
    return authorize(ctx, { role: "ADMIN" });
  } catch (error) {
    if (error instanceof AdminRequiredError) forbidden();
    throw error;
  }
}
