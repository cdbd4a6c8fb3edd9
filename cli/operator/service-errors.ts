import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, UserFacingError } from "../../lib/errors";
import { SLUG_TAKEN, USERNAME_TAKEN } from "../../lib/orgs/mutations";
import { USERNAME_IN_USE } from "../../lib/users/mutations";
import { CliError, EXIT } from "../errors";

const TAKEN = new Set([SLUG_TAKEN, USERNAME_TAKEN, USERNAME_IN_USE]);

/**
 * A service's error as the CLI reports it: field errors name the command's
 * options (`fieldOptions` maps a service field to its option), and the exit
 * code says what kind of failure it was. Anything unexpected is rethrown.
 */
export function cliErrorOf(error: unknown, fieldOptions: Record<string, string> = {}): unknown {
  if (error instanceof CliError || !(error instanceof UserFacingError)) return error;
  if (error instanceof NotFoundError) return new CliError(EXIT.notFound, error.message);
  if (error instanceof ForbiddenError) return new CliError(EXIT.unauthorized, error.message);
  if (error instanceof ConflictError) return new CliError(EXIT.conflict, error.message);
  if (error instanceof RateLimitedError) return new CliError(EXIT.failure, error.message);
  const fields = Object.entries(error.fieldErrors ?? {});
  if (fields.length === 0) return new CliError(EXIT.failure, error.message);
  const named = fields.map(([field, message]) => `${fieldOptions[field] ?? field}: ${message}`);
  const code = fields.every(([, message]) => TAKEN.has(message)) ? EXIT.conflict : EXIT.usage;
  // One line naming the field(s): the service's "Check the highlighted fields." says nothing on a command line.
  return new CliError(code, named.join("; "));
}
