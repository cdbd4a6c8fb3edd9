import type { z } from "zod";
import { fieldErrorsOf } from "../../lib/validation/account";
import { humanIssueMessage } from "../../lib/validation/messages";
import { usageError } from "../errors";

/** The options through the same zod schema the forms use; a refusal names the command's options (`fieldOptions`). */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, fieldOptions: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(input, { error: humanIssueMessage });
  if (parsed.success) return parsed.data;
  const named = Object.entries(fieldErrorsOf(parsed.error)).map(([field, message]) => `${fieldOptions[field] ?? field}: ${message}`);
  throw usageError(named.join("; "));
}
