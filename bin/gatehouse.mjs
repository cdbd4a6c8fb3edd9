#!/usr/bin/env node
// `npx gatehouse <command>` (the package's bin) and `npm run gatehouse -- <command>`:
// runs cli/gatehouse.ts through tsx with the react-server condition, as the npm
// scripts run scripts/*.ts (lib/ modules import "server-only", which that
// condition resolves to an empty module). The CLI runs from the package root,
// like the server, so it finds the same embedded database (.data/), migrations
// and FIDO files; file arguments are resolved from where it was started.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// `npm run` starts scripts in the package root; INIT_CWD is where the user typed it.
const invokedFrom = process.env.npm_lifecycle_event === "gatehouse" && process.env.INIT_CWD ? process.env.INIT_CWD : process.cwd();

let tsx;
try {
  tsx = import.meta.resolve("tsx");
} catch {
  console.error("gatehouse: tsx is not installed: run npm install (with dev dependencies) in the Gatehouse checkout first.");
  process.exit(1);
}

const child = spawn(process.execPath, ["--conditions=react-server", "--import", tsx, path.join(root, "cli", "gatehouse.ts"), ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, GATEHOUSE_CWD: invokedFrom },
});
// Ctrl-C reaches the child from the terminal itself; the launcher waits for it to finish. SIGTERM is passed on.
process.on("SIGINT", () => undefined);
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("error", (error) => {
  console.error(`gatehouse: cannot start node: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (signal === "SIGINT" ? 2 : 15) : 1)));
