// `npm run mds:update [-- --from-file PATH]`: the same command as `npx gatehouse mds:update`
// (cli/operator/mds-update.ts), kept under its old name. Exit codes: lib/webauthn/trust/mds-update.ts and README.
import { runAsProcess } from "../cli/main";

void runAsProcess(["mds:update", ...process.argv.slice(2)]);
