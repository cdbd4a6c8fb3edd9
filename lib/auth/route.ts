import type { z } from "zod";
import { env } from "../env";
import { ForbiddenError, UserFacingError } from "../errors";
import { requestInfo, type RequestInfo } from "../http/request-info";
import { SESSION_ENDED, parseInput, toActionError } from "./action";
import { currentSession } from "./current";
import { orgContextFromSession, type OrgContext } from "./org-context";

/**
 * JSON route handler for signed-in users (WebAuthn ceremonies): same-origin
 * check → session → role → zod → handler, answering with real HTTP statuses.
 */
export function orgRoute<S extends z.ZodType, T>(
  options: { role?: "ADMIN"; schema: S },
  handler: (ctx: OrgContext, input: z.infer<S>, request: RequestInfo) => Promise<T>,
) {
  return async (req: Request): Promise<Response> => {
    try {
      const origin = req.headers.get("origin");
      if (origin && origin !== new URL(env().APP_URL).origin) throw new ForbiddenError("Cross-origin requests are not allowed.");
      const session = await currentSession();
      if (!session) return Response.json({ ok: false, error: SESSION_ENDED, code: "signed-out" }, { status: 401 });
      const ctx = orgContextFromSession(session);
      if (options.role === "ADMIN" && ctx.role !== "ADMIN") throw new ForbiddenError();
      const body = req.method === "GET" ? {} : await req.json().catch(() => null);
      if (body === null) throw new UserFacingError("The request body must be JSON.");
      const data = await handler(ctx, await parseInput(options.schema, body), requestInfo(req.headers));
      return Response.json({ ok: true, data });
    } catch (error) {
      const status = error instanceof UserFacingError ? error.status : 500;
      return Response.json(toActionError(error), { status });
    }
  };
}
