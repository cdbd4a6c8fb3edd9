import { processIo } from "./io";
import { runCli } from "./program";
import { shutdown } from "./shutdown";

/** Runs one command line as this process and exits with its code (cli/gatehouse.ts, and the npm scripts' wrappers in scripts/). */
export async function runAsProcess(argv: readonly string[]): Promise<never> {
  let code: number;
  try {
    code = await runCli(argv, processIo());
    // Closes the database if an operator command opened it (releasing the embedded database's lock).
    await shutdown();
  } catch (error) {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
    code = 1;
  }
  // Exit once stdout has drained: a JSON document piped to a file must arrive whole.
  return new Promise<never>(() => process.stdout.write("", () => process.exit(code)));
}
