import { Command, CommanderError, Option } from "commander";
import type { Connection, ConnectionOptions } from "./admin/client";
import { CliError, EXIT, EXIT_CODES_HELP, EXIT_CODES_SHORT } from "./errors";
import type { CliIo } from "./io";

// `gatehouse`: the operator's commands (straight against the database, as the
// system) and the admin's (over HTTP with an API token). Each command's module
// is loaded only when it runs, so `--help` and the admin commands never open
// the database or read its configuration.

const ENVIRONMENT_HELP = `Environment:
  GATEHOUSE_URL     the server, for admin commands (or --url), e.g. https://gatehouse.example.com
  GATEHOUSE_TOKEN   an API token, for admin commands (or --token; the variable keeps it out of the process list)
  DATABASE_URL      operator commands use PostgreSQL when set, else the embedded database in .data/
                    (one process at a time: stop the server first), like the server itself`;

const EXAMPLES = `Examples:
  $ gatehouse org:create --name "Acme" --admin-email ada@acme.test --admin-name "Ada Lovelace"
  $ export GATEHOUSE_TOKEN=$(gatehouse token:create --org acme --name laptop --scopes setup:read,settings:write --expires 30)
  $ GATEHOUSE_URL=https://gatehouse.example.com gatehouse settings get > acme.json
  $ gatehouse settings apply acme.json`;

/** The shell's code for a command ended by Ctrl-C. */
const EXIT_INTERRUPTED = 130;

type Handler = (...args: unknown[]) => Promise<number | void>;

/** Runs one command line; returns its exit code. Never calls process.exit (bin/gatehouse.mjs and tests decide). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const state = { command: "", exitCode: EXIT.ok as number };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return state.exitCode;
  } catch (error) {
    return report(error, state.command, io);
  }
}

function report(error: unknown, command: string, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message (or the help).
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT.ok;
    if (error.code === "commander.help") return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return EXIT.usage;
  }
  const prefix = command ? `gatehouse ${command}` : "gatehouse";
  if (io.signal.aborted) {
    io.err(`${prefix}: stopped.\n`);
    return EXIT_INTERRUPTED;
  }
  if (error instanceof CliError) {
    io.err(`${prefix}: ${error.message}\n`);
    for (const detail of error.details) io.err(`  ${detail}\n`);
    return error.exitCode;
  }
  io.err(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
  if (io.env.GATEHOUSE_DEBUG && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return EXIT.failure;
}

export function buildProgram(io: CliIo, state: { command: string; exitCode: number }): Command {
  const program = new Command("gatehouse")
    .description("Gatehouse from the command line: operator commands against the database, admin commands against the Admin API.")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text),
      writeErr: (text) => io.err(text),
      outputError: (text, write) => write(`gatehouse: ${text.replace(/^error: /, "")}`),
    })
    .showHelpAfterError("(add --help for usage)")
    .helpCommand(false)
    .addHelpText("after", `\n${EXAMPLES}\n\n${ENVIRONMENT_HELP}\n\n${EXIT_CODES_HELP}\n`);

  const run =
    (name: string, handler: Handler) =>
    async (...args: unknown[]) => {
      state.command = name;
      state.exitCode = (await handler(...args)) ?? EXIT.ok;
    };
  const finish = (command: Command) => command.addHelpText("after", `\n${EXIT_CODES_SHORT}\n`);

  // Operator commands.
  finish(
    program
      .command("org:create")
      .description("Create an org and its first admin; prints the org's slug and a set-password link for the admin (not emailed).")
      .requiredOption("--name <name>", "the org's name")
      .option("--slug <slug>", "its URL name (default: from the name, e.g. acme-corp)")
      .requiredOption("--admin-email <email>", "the admin's email, which is also their username")
      .requiredOption("--admin-name <name>", "the admin's name")
      .option("--json", "print the result as JSON")
      .action(run("org:create", async (options) => (await import("./operator/org-create")).orgCreate(options as never, io))),
  );
  finish(
    program
      .command("user:create")
      .description('Add a user to an org, as an admin does in Setup → Users: they get the "Set your password" email.')
      .requiredOption("--org <slug>", "the org's slug")
      .requiredOption("--email <email>", "where the invitation goes (and their username, unless --username)")
      .requiredOption("--name <name>", "the user's name")
      .option("--username <username>", "an email-shaped username other than --email")
      .addOption(new Option("--role <role>", "admin or standard").default("standard"))
      .option("--json", "print the result as JSON")
      .action(run("user:create", async (options) => (await import("./operator/user-create")).userCreate(options as never, io))),
  );
  finish(
    program
      .command("token:create")
      .description("Create an API token for an org with the system as its creator; prints the secret once (alone on stdout).")
      .requiredOption("--org <slug>", "the org's slug")
      .requiredOption("--name <name>", "what the token is for, as Setup → API Tokens lists it")
      .requiredOption("--scopes <scopes>", "comma-separated, e.g. setup:read,settings:write (none by default)")
      .requiredOption("--expires <days>", "days until it stops working, 1 to 366")
      .option("--json", "print the token (with its secret) as JSON")
      .action(run("token:create", async (options) => (await import("./operator/token-create")).tokenCreate(options as never, io))),
  );
  finish(
    program
      .command("user:recover")
      .description(
        'Recover an org\'s only admin left in "Admin recovery required": prints a temporary verification code (and a set-password link when their password was voided) to hand over in person.',
      )
      .requiredOption("--org <slug>", "the org's slug")
      .requiredOption("--username <username>", "the admin's username")
      .option("--hours <hours>", "how long the code works, 1 to 24 (default 4)")
      .option("--clear", 'only clear "Admin recovery required" (they still have a usable factor)')
      .option("--json", "print the result as JSON")
      .action(run("user:recover", async (options) => (await import("./operator/user-recover")).userRecover(options as never, io))),
  );
  program
    .command("mds:update")
    .description("Download the FIDO metadata BLOB from FIDO_MDS_URL (or take a copied one), verify it and install it as FIDO_MDS_FILE.")
    .option("--from-file <path>", "install this BLOB instead of downloading one")
    .addHelpText("after", '\nExit codes: 0 installed, 1 failed, 2 usage, 3 download, 4 refused, 5 rollback, 6 write (README, "FIDO metadata").\n')
    .action(run("mds:update", async (options) => (await import("./operator/mds-update")).mdsUpdate(options as never, io)));

  // Admin commands, over HTTP.
  const admin = (command: Command, json = true) => {
    command
      .option("--url <url>", "the server (default: GATEHOUSE_URL)")
      .option("--token <token>", "an API token (default: GATEHOUSE_TOKEN, which keeps it out of the process list)");
    if (json) command.option("--json", "print what the server sent, as JSON");
    return finish(command);
  };
  // Commander calls an action with its arguments, then the options, then the command.
  const withClient = (name: string, handler: (connection: Connection, ...args: unknown[]) => Promise<number | void>) =>
    run(name, async (...args) => {
      const { resolveConnection } = await import("./admin/client");
      return handler(resolveConnection(args.at(-2) as ConnectionOptions, io), ...args);
    });

  const settings = program.command("settings").description("The org's Session Settings as one JSON document (settings as code).");
  admin(settings.command("get").description("Print the Session Settings document, e.g. gatehouse settings get > acme.json (scope setup:read)."), false).action(
    withClient("settings get", async (connection) => (await import("./admin/settings")).settingsGet(connection, io)),
  );
  admin(
    settings
      .command("apply")
      .description(
        "Show what the file would change (and the page's warnings), ask, then apply it. Sends If-Match, so a change made since is refused (exit 4). Scopes setup:read and settings:write.",
      )
      .argument("<file>", "a settings document, as settings get prints it")
      .option("-y, --yes", "apply without asking (needed when stdin is not a terminal)")
      .option("--dry-run", "only show the changes and warnings"),
  ).action(
    withClient("settings apply", async (connection, file, options) =>
      (await import("./admin/settings")).settingsApply(connection, file as string, options as never, io),
    ),
  );

  const users = program.command("users").description("The org's users.");
  admin(
    users
      .command("list")
      .description("List the org's users (all pages). Scope setup:read.")
      .option("--active", "only active users")
      .option("--inactive", "only deactivated users")
      .option("--role <role>", "admin or standard")
      .option("--has-key", "only users with a security key")
      .option("--method <method>", "security-key, authenticator-app, recovery-codes or none"),
  ).action(withClient("users list", async (connection, options) => (await import("./admin/users")).usersList(connection, options as never, io)));
  admin(
    users
      .command("deactivate")
      .description("Deactivate a user: they cannot log in and their sessions end. Scope users:write.")
      .argument("<user>", "the user's id, username or email"),
  ).action(
    withClient("users deactivate", async (connection, user, options) =>
      (await import("./admin/users")).usersDeactivate(connection, user as string, options as never, io),
    ),
  );

  const keys = program.command("keys").description("A user's security keys.");
  admin(keys.command("list").description("List a user's security keys. Scope setup:read.").argument("<user>", "the user's id, username or email")).action(
    withClient("keys list", async (connection, user, options) => (await import("./admin/users")).keysList(connection, user as string, options as never, io)),
  );
  admin(
    keys
      .command("remove")
      .description("Remove one of a user's security keys; they are emailed about it. Scope factors:manage.")
      .argument("<user>", "the user's id, username or email")
      .argument("<key-id>", "the key's id (keys list shows it)")
      .option("--reason <text>", 'why, for the audit trail and the user\'s email (default "Removed with the Admin API")'),
  ).action(
    withClient("keys remove", async (connection, user, keyId, options) =>
      (await import("./admin/users")).keysRemove(connection, user as string, keyId as string, options as never, io),
    ),
  );

  const history = program.command("history").description("The org's histories.");
  admin(
    history
      .command("login")
      .description("Login History since a time (all pages). Scope history:read.")
      .requiredOption("--since <when>", "a duration back from now (30m, 12h, 7d, 2w) or a date (2026-11-30)"),
  ).action(withClient("history login", async (connection, options) => (await import("./admin/history")).historyLogin(connection, options as never, io)));

  const events = program.command("events").description("The org's security events.");
  admin(
    events
      .command("tail")
      .description("Print the org's security events as JSON lines, oldest first, then keep polling for new ones (Ctrl-C stops). Scope events:read.")
      .option("--after <cursor>", "start after this cursor (printed when it stops), not from the oldest kept event")
      .option("--interval <seconds>", "seconds between polls once caught up", "5")
      .option("--once", "stop once caught up")
      .option("--types <types>", "only these event types, comma-separated (e.g. user.security_key.registered)")
      .option("--format <format>", "json (default) or ocsf: the same events as OCSF 1.x records"),
    false,
  ).action(withClient("events tail", async (connection, options) => (await import("./admin/history")).eventsTail(connection, options as never, io)));

  return program;
}
