import "server-only";

// Every entry point (server action, JSON route, CSV export) carries a
// description of who may call it, so a test can enumerate them from the source
// tree and prove each one refuses the callers it must refuse.

export interface EntryPoint {
  /** "api": an Admin API route under /api/v1 (lib/api/route.ts), called with an API token, never a session. */
  kind: "action" | "route" | "export" | "api";
  audience: "public" | "pending-login" | "user" | "admin" | "token";
  /** Open to a session whose MFA enrolment is due. */
  duringEnrolment: boolean;
  /** Declares "verify it's you": always, never, or depending on the input. */
  stepUp: boolean | "depends-on-input";
  /** Declares the mailbox proof of a first factor's enrolment. */
  mailboxProof: boolean;
}

/** The description of a signed-in user's entry point, from the access it declares. */
export function entryPointOf(
  kind: EntryPoint["kind"],
  access: { role?: "ADMIN"; duringEnrolment?: boolean; stepUp?: boolean | ((input: never) => boolean); mailboxProof?: boolean },
): EntryPoint {
  return {
    kind,
    audience: access.role === "ADMIN" ? "admin" : "user",
    duringEnrolment: Boolean(access.duringEnrolment),
    stepUp: typeof access.stepUp === "function" ? "depends-on-input" : Boolean(access.stepUp),
    mailboxProof: Boolean(access.mailboxProof),
  };
}

export function describeEntryPoint<F extends (...args: never[]) => unknown>(fn: F, entryPoint: EntryPoint): F & { entryPoint: EntryPoint } {
  return Object.assign(fn, { entryPoint });
}
