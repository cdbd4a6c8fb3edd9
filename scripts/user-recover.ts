// `npm run user:recover -- --org <slug> --username <username> [--hours 1-24] [--clear] [--json]`:
// the same command as `npx gatehouse user:recover` (cli/operator/user-recover.ts), kept
// under its old name. With the embedded database, stop the server first (one process at a time).
import { runAsProcess } from "../cli/main";

void runAsProcess(["user:recover", ...process.argv.slice(2)]);
