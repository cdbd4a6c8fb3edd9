import "server-only";
import crypto from "node:crypto";
import { headers } from "next/headers";
import { forbidden, redirect, unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { UserFacingError } from "../errors";
import { fieldErrorsOf } from "../validation/account";
import { humanIssueMessage } from "../validation/messages";
import { AdminRequiredError, admit, authorize, currentContext, type Access, type Admitted, type OrgContext } from "./context";
import { reportEmailQuotaRefusal } from "../email/outbox";
import { describeEntryPoint, entryPointOf, type EntryPoint } from "./entry-point";

export type ActionError = { ok: false; error: string; fieldErrors?: Record<string, string>; code?: string };
export type ActionResult<T = undefined> = { ok: true; data: T } | ActionError;

export const SESSION_ENDED = "Your session has ended. Log in again.";

/** FormData to a plain object; repeated names become arrays. */
export function formToObject(input: unknown): unknown {
  if (!(input instanceof FormData)) return input;
  const out: Record<string, unknown> = {};
  for (const [key, value] of input.entries()) {
    if (key.startsWith("$ACTION")) continue;
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

/** Expected errors become messages; anything else is logged with a reference the user can quote. */
export function toActionError(error: unknown): ActionError {
  if (error instanceof UserFacingError) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
    return { ok: false, error: error.message, fieldErrors: error.fieldErrors, code };
  }
  const ref = crypto.randomBytes(4).toString("hex");
  console.error(`[action error ${ref}]`, error);
  return { ok: false, error: `Something went wrong (reference ${ref}). Try again.` };
}

export async function parseInput<S extends z.ZodType>(schema: S, input: unknown): Promise<z.infer<S>> {
  const parsed = await schema.safeParseAsync(formToObject(input), { error: humanIssueMessage });
  if (!parsed.success) throw new UserFacingError("Check the highlighted fields.", fieldErrorsOf(parsed.error));
  return parsed.data;
}

/**
 * Server action for signed-in users: session → access (MFA enrolment, role) →
 * zod → the proofs it declares (mailbox, "verify it's you") → handler →
 * errors. The handler receives the context of the verified session, never an
 * org id from the client, branded with those proofs. A signed-in user without
 * the role gets a real HTTP 403 (forbidden()), as the pages do; a session
 * whose MFA enrolment is due gets `code: "mfa-enrolment-required"` and nothing
 * runs.
 */
export function orgAction<const O extends Access & { schema: z.ZodType }, T>(
  options: O,
  handler: (ctx: Admitted<O>, input: z.infer<O["schema"]>) => Promise<T>,
): ((input: unknown) => Promise<ActionResult<T>>) & { entryPoint: EntryPoint } {
  const action = async (input: unknown): Promise<ActionResult<T>> => {
    let ctx: OrgContext | null = null;
    try {
      ctx = await currentContext();
      if (!ctx) return { ok: false, error: SESSION_ENDED, code: "signed-out" };
      try {
        authorize(ctx, options);
      } catch (error) {
        if (error instanceof AdminRequiredError) forbidden();
        throw error;
      }
      const parsed = (await parseInput(options.schema, input)) as z.infer<O["schema"]>;
      const data = await handler(await admit(ctx, options, parsed), parsed);
      return { ok: true, data };
    } catch (error) {
      unstable_rethrow(error); // forbidden(), redirect() and Next's own signals are not errors
      if (ctx) await reportEmailQuotaRefusal(error, { actor: { id: ctx.userId, name: ctx.userName }, request: ctx.request });
      return toActionError(error);
    }
  };
  return describeEntryPoint(action, entryPointOf("action", options));
}

/**
 * Whether this server action runs for a `<form action={action}>` the browser posted itself, before the page's
 * JavaScript ran (Next's progressive enhancement): a multipart body without the Next-Action header our script sends.
 */
export async function postedWithoutJavaScript(): Promise<boolean> {
  const request = await headers();
  return !request.has("next-action") && /^multipart\/form-data\s*(;|$)/i.test(request.get("content-type") ?? "");
}

/**
 * Where a form posted without JavaScript goes next (a 303 redirect): after success, and after a refusal, with
 * what was posted (a set-password link's token) to find the way back. Never carrying what was typed.
 */
export interface ActionFormFallback<T> {
  success(data: T): string;
  failure(error: ActionError, posted: Record<string, unknown>): string;
}

/**
 * Server action open to anyone (sign-up): zod → handler → errors. With `form`, a form posted without JavaScript
 * gets a redirect instead of the result its script would have shown.
 */
export function publicAction<S extends z.ZodType, T>(schema: S, handler: (input: z.infer<S>) => Promise<T>, form?: ActionFormFallback<T>) {
  const action = async (input: unknown): Promise<ActionResult<T>> => {
    let result: ActionResult<T>;
    try {
      result = { ok: true, data: await handler(await parseInput(schema, input)) };
    } catch (error) {
      result = toActionError(error);
    }
    if (form && (await postedWithoutJavaScript())) {
      const posted = formToObject(input);
      redirect(result.ok ? form.success(result.data) : form.failure(result, posted && typeof posted === "object" ? (posted as Record<string, unknown>) : {}));
    }
    return result;
  };
  return describeEntryPoint(action, { kind: "action", audience: "public", duringEnrolment: true, stepUp: false, mailboxProof: false });
}
