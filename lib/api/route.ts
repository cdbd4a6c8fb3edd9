import "server-only";
import type { z } from "zod";
import { recordScopeDenied, resolveApiToken } from "../api-tokens/resolve";
import { describeEntryPoint, type EntryPoint } from "../auth/entry-point";
import type { Permission } from "../auth/permissions";
import { can, type TokenPrincipal } from "../auth/principal";
import { readBodyText, readJsonBody } from "./body";
import { ApiProblem, NO_STORE, fieldErrorsFromZod, problemOf, problemResponse, validationProblem, type ProblemSlug } from "./problem";

// The one wrapper of every Admin API route handler (app/api/v1/**): bearer
// token → permission → path, query and body through zod (unknown fields
// refused) → handler → JSON, or an RFC 9457 problem for any refusal. A browser
// session is never consulted: no cookie is read here, so a session alone is a
// 401. Each wrapped handler carries its operation, from which
// lib/api/document.ts builds the OpenAPI document: the schemas that validate a
// request are the ones the document shows.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

type AnyObject = z.ZodObject;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type In<S> = S extends z.ZodType ? z.input<S> : undefined;

export interface ApiSuccess {
  status: number;
  description: string;
  /** The JSON body's schema; none for 204. */
  schema?: z.ZodType;
  /** Response headers the operation documents (ETag). */
  headers?: AnyObject;
}

export interface ApiCall<P, Q, B> {
  principal: TokenPrincipal;
  params: P;
  query: Q;
  body: B;
  request: Request;
}

export interface ApiReply<T> {
  status?: number;
  body?: T;
  headers?: Record<string, string>;
}

export interface ApiOperationSpec<
  P extends AnyObject | undefined,
  Q extends AnyObject | undefined,
  B extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** The URL path with `{name}` parameters, as the document shows it: "/api/v1/users/{id}". */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** What the token needs: one permission, or all of a list (a write that also reads what it warns about). */
  permission: Permission | readonly Permission[];
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the operation reads (If-Match), for the document; the handler checks them. */
  requestHeaders?: AnyObject;
  response: ApiSuccess & { schema?: R };
  /** Refusals beyond those every operation has (400, 401, 403, 429), for the document. */
  problems?: ProblemSlug[];
  handler: (call: ApiCall<Out<P>, Out<Q>, Out<B>>) => Promise<ApiReply<In<R>>>;
}

export type ApiOperation = Omit<ApiOperationSpec<AnyObject | undefined, AnyObject | undefined, z.ZodType | undefined, z.ZodType | undefined>, "handler">;

export type ApiHandler = ((req: Request) => Promise<Response>) & { entryPoint: EntryPoint; operation: ApiOperation };

const TOKEN_ENTRY_POINT: EntryPoint = { kind: "api", audience: "token", duringEnrolment: false, stepUp: false, mailboxProof: false };

export function permissionsOf(op: Pick<ApiOperation, "permission">): readonly Permission[] {
  return typeof op.permission === "string" ? [op.permission] : op.permission;
}

/** The path's parameters by name, read off the URL with the operation's template; null when it does not match. */
export function pathParams(template: string, pathname: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const match = new RegExp(`^${pattern}/?$`).exec(pathname);
  if (!match) return null;
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
  } catch {
    return null;
  }
}

function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of url.searchParams) {
    if (name in out) repeated.add(name);
    out[name] = value;
  }
  if (repeated.size) throw validationProblem([...repeated].map((field) => ({ field, message: "Give this parameter once." })));
  return out;
}

async function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix?: string): Promise<z.output<S>> {
  const parsed = await schema.safeParseAsync(input);
  if (parsed.success) return parsed.data;
  const errors = fieldErrorsFromZod(parsed.error).map((e) => (prefix ? { ...e, field: e.field ? `${prefix}.${e.field}` : prefix } : e));
  throw validationProblem(errors);
}

export function apiRoute<P extends AnyObject | undefined, Q extends AnyObject | undefined, B extends z.ZodType | undefined, R extends z.ZodType | undefined>(
  spec: ApiOperationSpec<P, Q, B, R>,
): ApiHandler {
  const { handler, ...operation } = spec;
  const route = async (req: Request): Promise<Response> => {
    try {
      const url = new URL(req.url);
      const principal = await resolveApiToken(req);
      const missing = permissionsOf(spec).find((permission) => !can(principal, permission));
      if (missing) {
        await recordScopeDenied(principal, missing);
        throw new ApiProblem("permission-denied", `This token does not have the ${missing} permission. Create a token with it in Setup → API Tokens.`);
      }
      const rawParams = pathParams(spec.path, url.pathname);
      if (!rawParams) throw new ApiProblem("not-found", "There is nothing at this address.");
      let params: unknown = undefined;
      if (spec.params) {
        const parsed = await spec.params.safeParseAsync(rawParams);
        // A malformed id names no record: not found, like another org's id.
        if (!parsed.success) throw new ApiProblem("not-found", "That record was not found.");
        params = parsed.data;
      }
      const query = spec.query ? await parseWith(spec.query, queryObject(url)) : undefined;
      if (!spec.query && url.searchParams.size > 0)
        throw validationProblem([...new Set(url.searchParams.keys())].map((field) => ({ field, message: "Unknown parameter." })));
      const body = spec.body ? await parseWith(spec.body, await readJsonBody(req)) : undefined;
      // An operation without a body refuses one that carries fields: whoever sent them believes they mean something.
      if (!spec.body && req.body && !/^\s*(?:\{\s*\})?\s*$/.test(await readBodyText(req))) {
        throw validationProblem([{ field: "", message: "This operation takes no request body." }]);
      }
      const reply = await handler({ principal, params: params as Out<P>, query: query as Out<Q>, body: body as Out<B>, request: req });
      const status = reply.status ?? spec.response.status;
      const headers: Record<string, string> = { ...NO_STORE, ...reply.headers };
      if (status === 204 || reply.body === undefined) return new Response(null, { status, headers });
      return Response.json(reply.body, { status, headers });
    } catch (error) {
      return problemResponse(problemOf(error));
    }
  };
  return Object.assign(describeEntryPoint(route, TOKEN_ENTRY_POINT), { operation: operation as ApiOperation });
}
