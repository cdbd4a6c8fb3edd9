import { expect } from "vitest";
import { db } from "@/lib/db/client";

/** Row counts of every table, to show that a refused request changed nothing. */
export async function tableCounts() {
  const [orgs, users, sessions, auditEvents, loginAttempts, rateLimits, pendingLogins, activatedDevices] = await Promise.all([
    db().org.count(),
    db().user.count(),
    db().session.count(),
    db().auditEvent.count(),
    db().loginAttempt.count(),
    db().rateLimit.count(),
    db().pendingLogin.count(),
    db().activatedDevice.count(),
  ]);
  return { orgs, users, sessions, auditEvents, loginAttempts, rateLimits, pendingLogins, activatedDevices };
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) expect.fail(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}
