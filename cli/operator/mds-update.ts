import path from "node:path";
import { env, type Env } from "../../lib/env";
import { mdsBlobTrust } from "../../lib/webauthn/trust/load";
import { MDS_UPDATE_EXIT_CODES, runMdsUpdate } from "../../lib/webauthn/trust/mds-update";
import type { CliIo } from "../io";

// `gatehouse mds:update` (also `npm run mds:update`): downloads the FIDO MDS3
// BLOB from FIDO_MDS_URL (or takes one copied in by hand), verifies it as the
// server does and installs it atomically as FIDO_MDS_FILE; a running server
// picks it up within seconds. It keeps its own exit codes
// (lib/webauthn/trust/mds-update.ts, README "FIDO metadata").

/** Returns the exit code. */
export async function mdsUpdate(options: { fromFile?: string }, io: CliIo): Promise<number> {
  let config: Env;
  try {
    config = env();
  } catch (error) {
    io.err(`mds:update: ${error instanceof Error ? error.message : String(error)}\n`);
    return MDS_UPDATE_EXIT_CODES.usage;
  }
  const argv = options.fromFile === undefined ? [] : ["--from-file", path.resolve(io.cwd, options.fromFile)];
  const result = await runMdsUpdate(argv, config, () => mdsBlobTrust(config));
  for (const line of result.out) io.out(`${line}\n`);
  for (const line of result.err) io.err(`${line}\n`);
  return result.code;
}
