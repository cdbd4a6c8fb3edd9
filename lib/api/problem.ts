import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ServiceBusyError, UserFacingError } from "../errors";
import { EmailQuotaExceededError } from "../email/outbox";

// Errors of the Admin API as RFC 9457 problem documents: a stable `type` URI
// per kind of error (a client switches on it, never on the wording), a title
// that is the same for every instance of the type, and a detail for this one.

export const PROBLEM_BASE = "https://gatehouse.dev/problems/";
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Every kind of problem the API answers with, its status and title. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: "The request is not valid" },
  "malformed-json": { status: 400, title: "The request body is not valid JSON" },
  "invalid-cursor": { status: 400, title: "The cursor is not valid" },
  unauthorized: { status: 401, title: "A valid API token is required" },
  "permission-denied": { status: 403, title: "The token lacks the permission this needs" },
  forbidden: { status: 403, title: "Forbidden" },
  "not-found": { status: 404, title: "Not found" },
  gone: { status: 410, title: "Older than the org keeps events" },
  conflict: { status: 409, title: "Conflict" },
  "precondition-failed": { status: 412, title: "The resource changed since it was read" },
  "payload-too-large": { status: 413, title: "The request body is too large" },
  "unsupported-media-type": { status: 415, title: "The request body must be JSON" },
  unprocessable: { status: 422, title: "The request cannot be carried out" },
  "precondition-required": { status: 428, title: "If-Match is required" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "email-quota": { status: 429, title: "Too many emails" },
  internal: { status: 500, title: "Something went wrong" },
  busy: { status: 503, title: "Gatehouse is busy" },
} as const;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export const fieldErrorSchema = z
  .object({
    field: z.string().meta({ description: "The field, as a dotted path (`allowedAaguids.0`); empty for the whole body." }),
    message: z.string(),
  })
  .meta({ id: "FieldError" });

export const problemSchema = z
  .object({
    type: z.string().meta({ description: `A stable URI per kind of error, e.g. ${PROBLEM_BASE}validation.` }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(fieldErrorSchema).optional().meta({ description: "For validation problems: each field and what is wrong with it." }),
  })
  .meta({ id: "Problem", description: "An RFC 9457 problem document." });

export type Problem = z.infer<typeof problemSchema>;
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** A refusal the API answers with as a problem document. */
export class ApiProblem extends Error {
  constructor(
    readonly slug: ProblemSlug,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = "ApiProblem";
  }

  get status(): number {
    return PROBLEM_TYPES[this.slug].status;
  }
}

/** A zod failure as field errors: a missing field says so by name. */
export function fieldErrorsFromZod(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return {
        field: [field, ...issue.keys].filter(Boolean).join(", "),
        message: `Unknown field${issue.keys.length === 1 ? "" : "s"}: ${issue.keys.join(", ")}.`,
      };
    }
    if (issue.code === "invalid_type" && issue.input === undefined) return { field, message: "This field is required." };
    return { field, message: issue.message };
  });
}

export function validationProblem(errors: FieldError[], detail?: string): ApiProblem {
  const named = errors.map((e) => e.field).filter(Boolean);
  return new ApiProblem("validation", detail ?? (named.length ? `Check these fields: ${[...new Set(named)].join(", ")}.` : "Check the request."), errors);
}

/** Any error a handler threw, as the problem it answers with; anything unexpected is logged with a reference and is a 500. */
export function problemOf(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof RateLimitedError || error instanceof ServiceBusyError) {
    const slug = error instanceof RateLimitedError ? "rate-limited" : "busy";
    return new ApiProblem(slug, error.message, undefined, { "Retry-After": String(Math.max(1, Math.ceil(error.retryAfterSeconds))) });
  }
  if (error instanceof EmailQuotaExceededError) return new ApiProblem("email-quota", error.message, undefined, { "Retry-After": "3600" });
  if (error instanceof NotFoundError) return new ApiProblem("not-found", error.message);
  if (error instanceof ForbiddenError) return new ApiProblem(error.code === "permission-denied" ? "permission-denied" : "forbidden", error.message);
  if (error instanceof ConflictError) return new ApiProblem("conflict", error.message);
  if (error instanceof UserFacingError) {
    const errors = error.fieldErrors ? Object.entries(error.fieldErrors).map(([field, message]) => ({ field, message })) : undefined;
    if (error.status === 401) return new ApiProblem("unauthorized", error.message);
    // A well-formed request the service refuses (deactivating yourself, a user who is already inactive): 422.
    return new ApiProblem("unprocessable", error.message, errors);
  }
  const ref = crypto.randomBytes(4).toString("hex");
  console.error(`[api error ${ref}]`, error);
  return new ApiProblem("internal", `Something went wrong (reference ${ref}). Try again.`);
}

export const NO_STORE = { "Cache-Control": "no-store" } as const;

export function problemResponse(problem: ApiProblem): Response {
  const { status, title } = PROBLEM_TYPES[problem.slug];
  const body: Problem = {
    type: `${PROBLEM_BASE}${problem.slug}`,
    title,
    status,
    detail: problem.message,
    ...(problem.errors ? { errors: problem.errors } : {}),
  };
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": PROBLEM_CONTENT_TYPE, ...NO_STORE, ...problem.headers } });
}
