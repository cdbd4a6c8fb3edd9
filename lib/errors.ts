import "server-only";

/** Errors whose message is safe and meant to be shown to the user. */
export class UserFacingError extends Error {
  readonly status: number = 400;
  constructor(
    message: string,
    readonly fieldErrors?: Record<string, string>,
  ) {
    super(message);
    this.name = "UserFacingError";
  }
}

/** A missing or foreign resource: always "not found", never "forbidden" (no existence oracle). */
export class NotFoundError extends UserFacingError {
  override readonly status = 404;
  readonly code: string = "not-found";
  constructor(what = "That record") {
    super(`${what} was not found.`);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends UserFacingError {
  override readonly status = 403;
  readonly code: string = "forbidden";
  constructor(message = "You don't have permission to do that. Ask an admin of your org.") {
    super(message);
    this.name = "ForbiddenError";
  }
}

export class RateLimitedError extends UserFacingError {
  override readonly status = 429;
  readonly code: string = "rate-limited";
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(`Too many attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
    this.name = "RateLimitedError";
  }
}

/** The server cannot take this request now (too many password checks queued); nothing was done. */
export class ServiceBusyError extends UserFacingError {
  override readonly status = 503;
  readonly code: string = "busy";
  readonly retryAfterSeconds = 5;
  constructor() {
    super("Gatehouse is busy right now. Try again in a few seconds.");
    this.name = "ServiceBusyError";
  }
}

/** The record changed since the user loaded it; their write was not applied. */
export class ConflictError extends UserFacingError {
  override readonly status = 409;
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}
