import "server-only";

// Expired rows (pending logins, WebAuthn challenges) are swept by the requests
// that create new ones. Once a minute per table and process is plenty: the
// rows are dead for an hour or a day before they qualify, and a sweep on every
// insert was one extra statement on every login.
const SWEEP_INTERVAL_MS = 60_000;
const lastSweep = new Map<string, number>();

/** Runs `sweep` unless this table was swept by this process in the last minute. */
export async function sweepOccasionally(table: string, sweep: () => Promise<unknown>, now = Date.now()): Promise<void> {
  if (now - (lastSweep.get(table) ?? -Infinity) < SWEEP_INTERVAL_MS) return;
  lastSweep.set(table, now);
  await sweep();
}
