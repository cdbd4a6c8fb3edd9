// Exit codes a script can branch on, and the one error type commands throw to
// choose theirs. Every failure ends as one line on stderr (plus, for a problem
// document from the server, one line per field) and one of these codes.

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unauthorized: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  failed (server error, network, rate limited, declined at the prompt, anything else)
  2  usage or bad input (a missing option, an unreadable or invalid file, a value the server refused)
  3  not found (the org, user or key does not exist, or is another org's)
  4  conflict or precondition failed (a taken slug or username; settings changed since read; HTTP 409/410/412/422/428)
  5  unauthorized or forbidden (no or bad token, a scope the token lacks: HTTP 401/403)
  130 stopped with Ctrl-C
  mds:update keeps its own codes: 2 usage, 3 download, 4 refused, 5 rollback, 6 write (README, "FIDO metadata").`;

export const EXIT_CODES_SHORT = "Exit codes: 0 ok, 1 failed, 2 bad input, 3 not found, 4 conflict, 5 unauthorized (see gatehouse --help).";

/** A failure the command explains itself: `lines[0]` is the one-line reason, further lines are details (field errors). */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

export const usageError = (message: string, details: readonly string[] = []) => new CliError(EXIT.usage, message, details);
