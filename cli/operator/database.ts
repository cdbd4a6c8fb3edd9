import { database } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { onShutdown } from "../shutdown";

// Operator commands work on the server's own database, as `npm start` does:
// PostgreSQL when DATABASE_URL is set, else the embedded one under .data/
// (which one process at a time may open: stop the server first). The schema
// is brought up to date first, as the server does when it starts.

let opened = false;

export async function openOperatorDatabase(): Promise<void> {
  if (opened) return;
  const handle = database();
  opened = true;
  // Registered before migrating: a database that opened but failed to migrate is closed too.
  onShutdown(() => handle.close());
  await migrate(handle.raw);
}
