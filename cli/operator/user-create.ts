import { systemPrincipal } from "../../lib/auth/principal";
import { NotFoundError } from "../../lib/errors";
import { addUser } from "../../lib/users/mutations";
import { addUserSchema } from "../../lib/validation/account";
import { CliError, EXIT, usageError } from "../errors";
import { printJson, type CliIo } from "../io";
import { openOperatorDatabase } from "./database";
import { cliErrorOf } from "./service-errors";
import { parseOptions } from "./validate";

// `gatehouse user:create`: adds a user to an org as an admin does in Setup →
// Users (the same service, audited as "Command line: user:create"); the user
// gets the "Set your password" email.

export interface UserCreateOptions {
  org: string;
  email: string;
  name: string;
  username?: string;
  role: string;
  json?: boolean;
}

/** The system principal of the org named by its slug, or exit 3. */
export async function orgAsSystem(slug: string, command: string) {
  try {
    return await systemPrincipal({ slug: slug.trim().toLowerCase() }, `Command line: ${command}`);
  } catch (error) {
    if (error instanceof NotFoundError) throw new CliError(EXIT.notFound, `--org: no org with the slug ${slug}.`);
    throw error;
  }
}

export async function userCreate(options: UserCreateOptions, io: CliIo): Promise<void> {
  // The username is --email's unless --username names another: a refusal names the option that was given.
  const fields = { name: "--name", username: options.username === undefined ? "--email" : "--username", email: "--email", role: "--role" };
  const role = options.role.trim().toLowerCase();
  if (role !== "admin" && role !== "standard") throw usageError("--role: use admin or standard.");
  const input = parseOptions(
    addUserSchema,
    { name: options.name, email: options.email, username: options.username ?? options.email, role: role.toUpperCase() },
    fields,
  );
  await openOperatorDatabase();
  const system = await orgAsSystem(options.org, "user:create");
  let userId: string;
  try {
    ({ userId } = await addUser(system, input));
  } catch (error) {
    throw cliErrorOf(error, fields);
  }
  if (options.json) return printJson(io, { userId, orgSlug: system.orgSlug, username: input.username, email: input.email, role: input.role });
  io.out(`Added ${input.username} to ${system.orgName} as ${input.role === "ADMIN" ? "an Admin" : "a Standard user"}.\n`);
  io.out(`The "Set your password" email to ${input.email} is queued; the server's mail worker sends it (the link works for 72 hours).\n`);
}
