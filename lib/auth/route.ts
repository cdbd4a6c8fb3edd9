import type { z } from "zod";
import { env } from "../env";
import { ForbiddenError, RateLimitedError, UserFacingError } from "../errors";
import { requestInfo, type RequestInfo } from "../http/request-info";
import { SESSION_ENDED, parseInput, toActionError } from "./action";
import { currentSession } from "./current";
import { orgContextFromSession, type OrgContext } from "./org-context";
import { requirePendingLogin, pendingLoginCookieName } from "./pending-login";
import type { PendingLogin } from "../db/generated/client";
import { cookieValue } from "./options";

/** Browsers send Origin on POSTs; one that is not ours is a cross-site request. */
function checkOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (origin && origin !== new URL(env().APP_URL).origin) throw new ForbiddenError("Cross-origin requests are not allowed.");
}

async function readJson(req: Request): Promise<unknown> {
  const body = req.method === "GET" ? {} : await req.json().catch(() => null);
  if (body === null) throw new UserFacingError("The request body must be JSON.");
  return body;
}

function errorResponse(error: unknown): Response {
  const status = error instanceof UserFacingError ? error.status : 500;
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json(toActionError(error), { status, headers });
}

/** Cookies a route handler asks to set: httpOnly, same-site lax, secure on https. */
export interface CookieJar {
  set(name: string, value: string, maxAgeSeconds: number): void;
  /** The request's value of a cookie. */
  get(name: string): string | null;
}

function cookieJar(req: Request): CookieJar & { apply(response: Response): Response } {
  const pending: string[] = [];
  const secure = env().APP_URL.startsWith("https://");
  return {
    set(name, value, maxAgeSeconds) {
      pending.push(`${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
    },
    get: (name) => cookieValue(req.headers.get("cookie") ?? undefined, name),
    apply(response) {
      for (const cookie of pending) response.headers.append("Set-Cookie", cookie);
      return response;
    },
  };
}

/** JSON route handler open to anyone (the password step): same-origin check → zod → handler. */
export function publicRoute<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, request: RequestInfo, cookies: CookieJar) => Promise<T>,
) {
  return async (req: Request): Promise<Response> => {
    const cookies = cookieJar(req);
    try {
      checkOrigin(req);
      const data = await handler(await parseInput(schema, await readJson(req)), requestInfo(req.headers), cookies);
      return cookies.apply(Response.json({ ok: true, data }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/**
 * JSON route handler for a half-logged-in browser (/verify): same-origin check
 * → the live pending login its cookie names (401 "login-expired" otherwise) →
 * zod → handler.
 */
export function pendingLoginRoute<S extends z.ZodType, T>(
  schema: S,
  handler: (pending: PendingLogin, input: z.infer<S>, request: RequestInfo, cookies: CookieJar) => Promise<T>,
) {
  return async (req: Request): Promise<Response> => {
    const cookies = cookieJar(req);
    try {
      checkOrigin(req);
      const pending = await requirePendingLogin(cookies.get(pendingLoginCookieName()));
      const data = await handler(pending, await parseInput(schema, await readJson(req)), requestInfo(req.headers), cookies);
      return cookies.apply(Response.json({ ok: true, data }));
    } catch (error) {
      return errorResponse(error);
    }
  };
}

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
      checkOrigin(req);
      const session = await currentSession();
      if (!session) return Response.json({ ok: false, error: SESSION_ENDED, code: "signed-out" }, { status: 401 });
      const ctx = orgContextFromSession(session);
      if (options.role === "ADMIN" && ctx.role !== "ADMIN") throw new ForbiddenError();
      const data = await handler(ctx, await parseInput(options.schema, await readJson(req)), requestInfo(req.headers));
      return Response.json({ ok: true, data });
    } catch (error) {
      return errorResponse(error);
    }
  };
}
