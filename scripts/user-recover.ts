// `npm run user:recover -- --org <slug> --username <username> [--hours 1-24] [--clear]`:
// recovers an org's only active admin after a "This wasn't me" report left
// their account waiting for admin recovery (lib/users/operator-recovery.ts).
// Prints a temporary verification code (and, when their password was voided,
// a set-password link) to hand over in person; --clear only clears the flag.
// With the embedded database, stop the server first (one process at a time).
import { parseArgs } from "node:util";
import { database } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { UserFacingError } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { recoverFromCommandLine } from "../lib/users/operator-recovery";

const USAGE = "usage: npm run user:recover -- --org <slug> --username <username> [--hours 1-24] [--clear]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { org: { type: "string" }, username: { type: "string" }, hours: { type: "string" }, clear: { type: "boolean", default: false } },
  });
  if (!values.org || !values.username) {
    console.error(USAGE);
    return 2;
  }
  await migrate(database().raw);
  const result = await recoverFromCommandLine({
    orgSlug: values.org,
    username: values.username,
    hours: values.hours === undefined ? undefined : Number(values.hours),
    clear: values.clear,
  });
  if (result.kind === "cleared") {
    console.log(`"Admin recovery required" cleared for ${values.username}. Their next login verifies as usual.`);
    return 0;
  }
  console.log(`Temporary verification code for ${values.username}: ${result.code}`);
  console.log(`It works once, until ${formatDateTime(result.expiresAt)}. Give it to them in person or by phone.`);
  if (result.setPasswordLink) {
    console.log(`Their password was voided. Set-password link (until ${formatDateTime(result.setPasswordExpiresAt!)}): ${result.setPasswordLink}`);
  }
  return 0;
}

main()
  .then(async (code) => {
    await database().close();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(`[gatehouse] user:recover: ${error instanceof UserFacingError ? error.message : error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
