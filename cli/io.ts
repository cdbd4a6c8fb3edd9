import readline from "node:readline/promises";
import { setTimeout as delay } from "node:timers/promises";

/**
 * Everything a command touches outside itself, so tests run commands in
 * process (capturing output, answering prompts, pointing fetch at a fake
 * server) and the real process wires the terminal in once (processIo).
 */
export interface CliIo {
  /** Writes to stdout as is: data, and what a script reads. */
  out(text: string): void;
  /** Writes to stderr as is: errors, warnings, prompts, progress. */
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  /** Where relative file arguments are resolved: the directory the user ran the command from. */
  cwd: string;
  /** True when a person can answer a prompt (stdin is a terminal). */
  interactive: boolean;
  /** Asks on stderr and reads one line from stdin. */
  ask(question: string): Promise<string>;
  fetch: typeof fetch;
  /** Waits, returning early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Aborted on Ctrl-C or SIGTERM: long-running commands (events tail) stop cleanly. */
  signal: AbortSignal;
}

/** The real terminal. bin/gatehouse.mjs runs the CLI from the package root and passes the user's directory in GATEHOUSE_CWD. */
export function processIo(): CliIo {
  const stop = new AbortController();
  // The first Ctrl-C (or SIGTERM) asks the command to stop cleanly; a second one exits at once.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stop.signal.aborted) process.exit(130);
      stop.abort();
    });
  }
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.env.GATEHOUSE_CWD || process.cwd(),
    interactive: Boolean(process.stdin.isTTY),
    async ask(question) {
      const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
      try {
        // End of input (Ctrl-D) is "no".
        const closed = new Promise<string>((resolve) => prompt.once("close", () => resolve("")));
        return await Promise.race([prompt.question(question, { signal: stop.signal }), closed]);
      } finally {
        prompt.close();
      }
    },
    fetch: globalThis.fetch,
    sleep: (ms, signal) => delay(ms, undefined, { signal }).catch(() => undefined),
    signal: stop.signal,
  };
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function printTable(io: CliIo, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  io.out(`${[headers, ...rows].map(line).join("\n")}\n`);
}
