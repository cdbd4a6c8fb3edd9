// `npm run mds:update [-- --from-file PATH]`: downloads the FIDO MDS3 BLOB from
// FIDO_MDS_URL (or takes one copied in by hand), verifies it as the server
// does and installs it atomically as FIDO_MDS_FILE; a running server picks it
// up within seconds. Exit codes: lib/webauthn/trust/mds-update.ts and README.
import { env, type Env } from "../lib/env";
import { mdsBlobTrust } from "../lib/webauthn/trust/load";
import { MDS_UPDATE_EXIT_CODES, runMdsUpdate } from "../lib/webauthn/trust/mds-update";

async function main(): Promise<number> {
  let config: Env;
  try {
    config = env();
  } catch (error) {
    console.error(`mds:update: ${error instanceof Error ? error.message : String(error)}`);
    return MDS_UPDATE_EXIT_CODES.usage;
  }
  const result = await runMdsUpdate(process.argv.slice(2), config, () => mdsBlobTrust(config));
  for (const line of result.out) console.log(line);
  for (const line of result.err) console.error(line);
  return result.code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`mds:update: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
