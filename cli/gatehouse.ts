// `npx gatehouse <command>` / `npm run gatehouse -- <command>`: the process
// entry point, run by bin/gatehouse.mjs through tsx with the react-server
// condition (as the npm scripts run scripts/*.ts). The commands are in
// ./program.ts.
import { runAsProcess } from "./main";

void runAsProcess(process.argv.slice(2));
