import "server-only";
import fs from "node:fs";
import path from "node:path";
import { loadTrustStore, mdsBlobTrust, readMdsFile, type TrustConfig, type TrustStore } from "./load";

// A running server picks up a new FIDO_MDS_FILE (from `npm run mds:update` or
// a copy made by hand) without a restart. The hot path costs a clock read: the
// file is stat'ed at most every few seconds and parsed (a few MB) only when its
// size, mtime or inode changed. A bad new file never replaces a good store.

export const MDS_RECHECK_MS = 5_000;

export interface ReloadOptions {
  /** How often the file may be stat'ed. */
  recheckMs?: number;
  /** Where the one line per change goes. */
  log?: (line: string) => void;
}

function fileStamp(file: string): string {
  try {
    const stat = fs.statSync(path.resolve(/*turbopackIgnore: true*/ process.cwd(), file));
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch (error) {
    return `missing:${(error as NodeJS.ErrnoException).code ?? "unreadable"}`;
  }
}

/**
 * Builds the trust store now (a bad file throws, so startup stops) and returns
 * a function that gives the current store, reloading the MDS BLOB when its file changes.
 */
export function trustReloader(config: TrustConfig, options: ReloadOptions = {}): (now?: number) => TrustStore {
  const recheckMs = options.recheckMs ?? MDS_RECHECK_MS;
  const log = options.log ?? ((line: string) => console.warn(`[gatehouse] ${line}`));
  const file = config.FIDO_MDS_FILE;
  // Stat before reading: a change made while the first read runs is seen at the next check.
  let stamp = file ? fileStamp(file) : "";
  let store = loadTrustStore(config);
  if (!file) return () => store;
  const trust = mdsBlobTrust(config);
  let checkedAt = Date.now();

  return (now = Date.now()) => {
    if (now - checkedAt < recheckMs) return store;
    checkedAt = now;
    const next = fileStamp(file);
    if (next === stamp) return store;
    stamp = next; // one log line per change, not one per request
    const inUse = store.mds ? `BLOB no. ${store.mds.serial}` : "no BLOB";
    try {
      const mds = readMdsFile(config, trust, new Date(now));
      if (mds && store.mds && mds.serial < store.mds.serial) {
        throw new Error(`FIDO_MDS_FILE: ${file} is refused: its BLOB no. ${mds.serial} is older than the one in use`);
      }
      store = { ...store, mds };
      log(`FIDO_MDS_FILE reloaded: BLOB no. ${mds?.serial} with ${mds?.entries} entries, next update ${mds?.nextUpdate} (was ${inUse})`);
    } catch (error) {
      log(`${error instanceof Error ? error.message : String(error)}; still using ${inUse}`);
    }
    return store;
  };
}
