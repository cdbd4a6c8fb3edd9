import "server-only";
import { database, type DatabaseKind } from "./client";
import { pendingMigrations } from "./migrate";

export interface DatabaseHealth {
  database: DatabaseKind;
  migrations: "up-to-date" | "pending";
}

/** Which database this instance uses and whether its migrations are applied; throws when it cannot be reached. */
export async function databaseHealth(): Promise<DatabaseHealth> {
  const { raw, kind } = database();
  const pending = await pendingMigrations(raw);
  return { database: kind, migrations: pending.length ? "pending" : "up-to-date" };
}

export function databaseKind(): DatabaseKind {
  return database().kind;
}
