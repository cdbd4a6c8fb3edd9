import "server-only";
import { describeEntryPoint, type EntryPoint } from "../auth/entry-point";
import { env } from "../env";
import { openApiDocument } from "./document";
import { NO_STORE, problemOf, problemResponse } from "./problem";
import type { ApiHandler } from "./route";

const PUBLIC_API: EntryPoint = { kind: "api", audience: "public", duringEnrolment: false, stepUp: false, mailboxProof: false };

/** The handlers a route module exports (GET, PUT, …), each with its operation. */
export function operationsOf(modules: readonly Record<string, unknown>[]) {
  return modules.flatMap((mod) =>
    Object.values(mod)
      .filter((value): value is ApiHandler => typeof value === "function" && "operation" in value)
      .map((handler) => handler.operation),
  );
}

/** GET /api/v1/openapi.json: public, so a client can be generated before anyone has a token. Built once per process. */
export function apiDocumentRoute(modules: readonly Record<string, unknown>[]) {
  let document: string | undefined;
  const route = async (): Promise<Response> => {
    try {
      document ??= JSON.stringify(openApiDocument(operationsOf(modules), new URL(env().APP_URL).origin));
      return new Response(document, { headers: { "Content-Type": "application/json", ...NO_STORE } });
    } catch (error) {
      return problemResponse(problemOf(error));
    }
  };
  return describeEntryPoint(route, PUBLIC_API);
}
