import "server-only";

// Every entry point (server action, JSON route, CSV export) carries a
// description of who may call it, so a test can enumerate them from the source
// tree and prove each one refuses the callers it must refuse.

export interface EntryPoint {
  kind: "action" | "route" | "export";
  audience: "public" | "pending-login" | "user" | "admin";
  /** Open to a session whose MFA enrolment is due. */
  duringEnrolment: boolean;
}

export function describeEntryPoint<F extends (...args: never[]) => unknown>(fn: F, entryPoint: EntryPoint): F & { entryPoint: EntryPoint } {
  return Object.assign(fn, { entryPoint });
}
