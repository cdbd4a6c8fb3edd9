import { UserFacingError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { recoverFromCommandLine } from "../../lib/users/operator-recovery";
import { TEMPORARY_CODE_HOURS } from "../../lib/verification/temporary-codes";
import { CliError, EXIT, usageError } from "../errors";
import { printJson, type CliIo } from "../io";
import { openOperatorDatabase } from "./database";

// `gatehouse user:recover` (also `npm run user:recover`): recovers an org's
// only active admin after a "This wasn't me" report left their account waiting
// for admin recovery (lib/users/operator-recovery.ts). Prints a temporary
// verification code (and, when their password was voided, a set-password
// link) to hand over in person; --clear only clears the flag.

export interface UserRecoverOptions {
  org: string;
  username: string;
  hours?: string;
  clear?: boolean;
  json?: boolean;
}

export async function userRecover(options: UserRecoverOptions, io: CliIo): Promise<void> {
  let hours: number | undefined;
  if (options.hours !== undefined) {
    hours = Number(options.hours);
    if (!Number.isInteger(hours) || hours < TEMPORARY_CODE_HOURS.min || hours > TEMPORARY_CODE_HOURS.max) {
      throw usageError(`--hours: a whole number from ${TEMPORARY_CODE_HOURS.min} to ${TEMPORARY_CODE_HOURS.max}.`);
    }
  }
  await openOperatorDatabase();
  let result;
  try {
    result = await recoverFromCommandLine({ orgSlug: options.org, username: options.username, hours, clear: options.clear });
  } catch (error) {
    if (error instanceof UserFacingError) throw new CliError(EXIT.failure, error.message);
    throw error;
  }
  if (options.json) {
    return printJson(
      io,
      result.kind === "cleared"
        ? { cleared: true, username: options.username }
        : {
            username: options.username,
            temporaryCode: result.code,
            expiresAt: result.expiresAt.toISOString(),
            setPasswordLink: result.setPasswordLink,
            setPasswordLinkExpiresAt: result.setPasswordExpiresAt?.toISOString() ?? null,
          },
    );
  }
  if (result.kind === "cleared") {
    io.out(`"Admin recovery required" cleared for ${options.username}. Their next login verifies as usual.\n`);
    return;
  }
  io.out(`Temporary verification code for ${options.username}: ${result.code}\n`);
  io.out(`It works once, until ${formatDateTime(result.expiresAt)}. Give it to them in person or by phone.\n`);
  if (result.setPasswordLink) {
    io.out(`Their password was voided. Set-password link (until ${formatDateTime(result.setPasswordExpiresAt!)}): ${result.setPasswordLink}\n`);
  }
}
