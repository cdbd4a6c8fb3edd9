import "server-only";

/**
 * True when a write failed on a unique constraint, optionally on a given
 * column. Prisma reports P2002 through adapter-pg; through the PGlite adapter
 * the same failure arrives as a DriverAdapterError whose cause carries
 * PostgreSQL's SQLSTATE 23505 and the constraint in its message.
 */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, meta, cause } = error as { code?: unknown; meta?: unknown; cause?: { code?: unknown } };
  const isPrisma = code === "P2002";
  const isPostgres = typeof cause === "object" && cause !== null && cause.code === "23505";
  if (!isPrisma && !isPostgres) return false;
  if (!column) return true;
  return JSON.stringify(isPrisma ? (meta ?? {}) : cause).includes(column);
}
