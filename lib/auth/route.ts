import "server-only";
import type { z } from "zod";
import { env } from "../env";
import { ForbiddenError, RateLimitedError, ServiceBusyError, UserFacingError } from "../errors";
import { requestInfo, type RequestInfo } from "../http/request-info";
import { NO_STORE } from "../http/csv";
import { reportEmailQuotaRefusal } from "../email/outbox";
import { SESSION_ENDED, parseInput, toActionError } from "./action";
import { admit, authorize, currentContext, type Access, type Admitted, type AdminContext } from "./context";
import { cookieValue, setCookieHeader } from "./cookies";
import { describeEntryPoint, entryPointOf, type EntryPoint } from "./entry-point";
import type { PendingLoginSubject } from "./org-context";
import { pendingLoginCookieName, requirePendingLogin } from "./login/pending-login";

// Route handlers: the JSON endpoints of our own UI (login, /verify, WebAuthn
// ceremonies, re-authentication) and the CSV exports. Each wrapper resolves
// the caller the same way the pages and server actions do.

/**
 * Only our own pages call these routes. Browsers send Origin on POSTs and
 * Sec-Fetch-Site on every request: another origin, or a cross-site fetch, is
 * refused. A JSON body is required too: a cross-site form cannot send one
 * without a CORS preflight, which we never answer.
 */
function checkOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (origin && origin !== new URL(env().APP_URL).origin) throw new ForbiddenError("Cross-origin requests are not allowed.");
  if (req.headers.get("sec-fetch-site") === "cross-site") throw new ForbiddenError("Cross-origin requests are not allowed.");
  if (req.method !== "GET" && !/^application\/json\s*(;|$)/i.test(req.headers.get("content-type") ?? "")) throw new UnsupportedMediaTypeError();
}

const isFormPost = (req: Request) => req.method === "POST" && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers.get("content-type") ?? "");

/**
 * A form a browser posts before our JavaScript runs (progressive
 * enhancement). A cross-site form needs no preflight, so here the browser
 * must prove the page is ours: Origin equal to APP_URL's, or Sec-Fetch-Site
 * same-origin. A request with neither is refused.
 */
function checkFormOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const sameOrigin = origin ? origin === new URL(env().APP_URL).origin : req.headers.get("sec-fetch-site") === "same-origin";
  if (!sameOrigin) throw new ForbiddenError("Cross-origin requests are not allowed.");
}

async function readForm(req: Request): Promise<Record<string, string>> {
  const form = await req.formData().catch(() => null);
  if (!form) throw new UserFacingError("The form could not be read.");
  return Object.fromEntries([...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

/**
 * Where a form posted without JavaScript goes next: after success, and after a refusal (never carrying what was
 * typed). `success` may finish what the page's script would have done next (start the session, say).
 */
export interface FormFallback<T> {
  success(data: T, context: { cookies: CookieJar; request: RequestInfo }): string | Promise<string>;
  failure(error: unknown): string;
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location, ...NO_STORE } });
}

class UnsupportedMediaTypeError extends UserFacingError {
  override readonly status = 415;
  readonly code = "unsupported-media-type";
  constructor() {
    super("Send the request body as JSON (Content-Type: application/json).");
  }
}

async function readJson(req: Request): Promise<unknown> {
  const body = req.method === "GET" ? {} : await req.json().catch(() => null);
  if (body === null) throw new UserFacingError("The request body must be JSON.");
  return body;
}

function errorResponse(error: unknown): Response {
  const status = error instanceof UserFacingError ? error.status : 500;
  const headers: Record<string, string> = { ...NO_STORE };
  if (error instanceof RateLimitedError || error instanceof ServiceBusyError) headers["Retry-After"] = String(error.retryAfterSeconds);
  return Response.json(toActionError(error), { status, headers });
}

const signedOut = () => Response.json({ ok: false, error: SESSION_ENDED, code: "signed-out" }, { status: 401, headers: NO_STORE });

/** Cookies a route handler asks to set: httpOnly, same-site lax, secure on https. */
export interface CookieJar {
  set(name: string, value: string, maxAgeSeconds: number): void;
  /** The request's value of a cookie. */
  get(name: string): string | null;
}

function cookieJar(req: Request): CookieJar & { apply(response: Response): Response } {
  const pending: string[] = [];
  return {
    set: (name, value, maxAgeSeconds) => void pending.push(setCookieHeader(name, value, maxAgeSeconds)),
    get: (name) => cookieValue(req.headers.get("cookie"), name),
    apply(response) {
      for (const cookie of pending) response.headers.append("Set-Cookie", cookie);
      return response;
    },
  };
}

type Handler = (req: Request) => Promise<Response>;

/** JSON route handler open to anyone (the password step): same-origin check → zod → handler. */
export function publicRoute<S extends z.ZodType, T>(
  schema: S,
  handler: (input: z.infer<S>, request: RequestInfo, cookies: CookieJar) => Promise<T>,
  form?: FormFallback<T>,
): Handler & { entryPoint: EntryPoint } {
  const route = async (req: Request): Promise<Response> => {
    const cookies = cookieJar(req);
    if (form && isFormPost(req)) {
      // The same handler and validation as the JSON call; the answer is a redirect, so nothing typed reaches a URL.
      try {
        checkFormOrigin(req);
        const request = requestInfo(req.headers);
        const data = await handler(await parseInput(schema, await readForm(req)), request, cookies);
        return cookies.apply(seeOther(await form.success(data, { cookies, request })));
      } catch (error) {
        if (error instanceof ForbiddenError) return errorResponse(error);
        if (!(error instanceof UserFacingError)) console.error("[gatehouse] form post failed", error);
        return seeOther(form.failure(error));
      }
    }
    try {
      checkOrigin(req);
      const data = await handler(await parseInput(schema, await readJson(req)), requestInfo(req.headers), cookies);
      return cookies.apply(Response.json({ ok: true, data }));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return describeEntryPoint(route, { kind: "route", audience: "public", duringEnrolment: true, stepUp: false, mailboxProof: false });
}

/**
 * JSON route handler for a half-logged-in browser (/verify): same-origin check
 * → the live pending login its cookie names (401 "login-expired" otherwise) →
 * zod → handler.
 */
export function pendingLoginRoute<S extends z.ZodType, T>(
  schema: S,
  handler: (pending: PendingLoginSubject, input: z.infer<S>, request: RequestInfo, cookies: CookieJar) => Promise<T>,
  form?: FormFallback<T>,
): Handler & { entryPoint: EntryPoint } {
  const route = async (req: Request): Promise<Response> => {
    const cookies = cookieJar(req);
    if (form && isFormPost(req)) {
      // A code form on /verify posted before JavaScript ran: the same checks, answered with a redirect.
      try {
        checkFormOrigin(req);
        const request = requestInfo(req.headers);
        const pending = await requirePendingLogin(cookies.get(pendingLoginCookieName()));
        try {
          const data = await handler(pending, await parseInput(schema, await readForm(req)), request, cookies);
          return cookies.apply(seeOther(await form.success(data, { cookies, request })));
        } catch (error) {
          await reportEmailQuotaRefusal(error, { actor: null, request });
          throw error;
        }
      } catch (error) {
        if (error instanceof ForbiddenError) return errorResponse(error);
        if (!(error instanceof UserFacingError)) console.error("[gatehouse] form post failed", error);
        return cookies.apply(seeOther(form.failure(error)));
      }
    }
    try {
      checkOrigin(req);
      const request = requestInfo(req.headers);
      const pending = await requirePendingLogin(cookies.get(pendingLoginCookieName()));
      try {
        const data = await handler(pending, await parseInput(schema, await readJson(req)), request, cookies);
        return cookies.apply(Response.json({ ok: true, data }));
      } catch (error) {
        await reportEmailQuotaRefusal(error, { actor: null, request });
        throw error;
      }
    } catch (error) {
      return errorResponse(error);
    }
  };
  return describeEntryPoint(route, { kind: "route", audience: "pending-login", duringEnrolment: true, stepUp: false, mailboxProof: false });
}

/**
 * JSON route handler for signed-in users (WebAuthn ceremonies,
 * re-authentication): same-origin check → session → access (MFA enrolment,
 * role) → zod → the proofs it declares → handler, answering with real HTTP
 * statuses.
 */
export function orgRoute<const O extends Access & { schema: z.ZodType }, T>(
  options: O,
  handler: (ctx: Admitted<O>, input: z.infer<O["schema"]>) => Promise<T>,
): Handler & { entryPoint: EntryPoint } {
  const route = async (req: Request): Promise<Response> => {
    try {
      checkOrigin(req);
      const ctx = await currentContext();
      if (!ctx) return signedOut();
      authorize(ctx, options);
      try {
        const parsed = (await parseInput(options.schema, await readJson(req))) as z.infer<O["schema"]>;
        const data = await handler(await admit(ctx, options, parsed), parsed);
        return Response.json({ ok: true, data }, { headers: NO_STORE });
      } catch (error) {
        await reportEmailQuotaRefusal(error, { actor: { id: ctx.userId, name: ctx.userName }, request: ctx.request });
        throw error;
      }
    } catch (error) {
      return errorResponse(error);
    }
  };
  return describeEntryPoint(route, entryPointOf("route", options));
}

/**
 * GET handler for an admin's CSV export: session → admin, outside enrolment →
 * the query string through zod → a streamed download. Refusals answer as the
 * JSON routes do (401 signed out, 403 with a code, 400 for bad filters).
 */
export function orgExport<S extends z.ZodType>(
  schema: S,
  handler: (ctx: AdminContext, query: z.infer<S>) => Promise<Response> | Response,
): Handler & { entryPoint: EntryPoint } {
  const route = async (req: Request): Promise<Response> => {
    try {
      const ctx = await currentContext();
      if (!ctx) return signedOut();
      const admin = authorize(ctx, { role: "ADMIN" });
      const query = await schema.safeParseAsync(Object.fromEntries(new URL(req.url).searchParams));
      if (!query.success) throw new UserFacingError(query.error.issues[0]?.message ?? "Check the filters.");
      return await handler(admin, query.data);
    } catch (error) {
      return errorResponse(error);
    }
  };
  return describeEntryPoint(route, { kind: "export", audience: "admin", duringEnrolment: false, stepUp: false, mailboxProof: false });
}
