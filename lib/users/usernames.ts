import "server-only";
import { recordEvent } from "../events/record";
import { actorOf, type Principal } from "../auth/principal";
import { hitRateLimit, secondsOverLimit, type RateLimitRule } from "../auth/rate-limit";
import type { Prisma } from "../db/generated/client";
import { RateLimitedError } from "../errors";

// Usernames across orgs (DESIGN.md section 1). `username` is unique within its
// org only, so "Add user" never asks another org. A login (and "Forgot your
// password?") finds a user by `claimedUsername`, unique across orgs, which the
// user takes when a set-password link or sign-up makes them able to log in.
// A claim is proven when what proved it went to the mailbox the username names
// (sign-up's code, a set-password link mailed to that address), and then it is
// kept: the first proof wins. A claim whose link went to another contact
// address (which whoever adds the user chooses) holds the name only until its
// owner proves the mailbox; then it gives way.

type Tx = Prisma.TransactionClient;

/** Why a user cannot take their username: its owner proved it elsewhere ("taken"), or another account logs in with it and this user cannot prove it ("held"). */
export type ClaimRefusal = "taken" | "held";

/** Whether mail to the user's email address proves the mailbox their username names. */
export function provesUsername(user: { username: string; email: string }): boolean {
  return user.email.trim().toLowerCase() === user.username;
}

/** What stands between a user and their username's claim, or null. Reads only. */
export async function claimRefusal(tx: Pick<Tx, "user">, user: { id: string; username: string }, proved: boolean): Promise<ClaimRefusal | null> {
  const holder = await tx.user.findUnique({ where: { claimedUsername: user.username }, select: { id: true, usernameProvedAt: true } });
  if (!holder || holder.id === user.id) return null;
  if (holder.usernameProvedAt) return "taken";
  return proved ? null : "held";
}

/**
 * The user takes their username as a login name, in the caller's transaction
 * (`proved`: by mail to the username's own address). A proof takes the name
 * from another user's unproven claim (their org's audit trail says so); a
 * proven claim is never taken. Returns the refusal when the name stays with
 * someone else; a race with another proof fails on User_claimedUsername_key.
 */
export async function claimUsername(tx: Tx, user: { id: string; orgId: string; username: string }, proved: boolean, now: Date): Promise<ClaimRefusal | null> {
  const refusal = await claimRefusal(tx, user, proved);
  if (refusal) return refusal;
  if (proved) await releaseUnprovenClaim(tx, user.username, now);
  await tx.user.updateMany({ where: { id: user.id, orgId: user.orgId }, data: { claimedUsername: user.username } });
  if (proved) await tx.user.updateMany({ where: { id: user.id, orgId: user.orgId, usernameProvedAt: null }, data: { usernameProvedAt: now } });
  return null;
}

// The rule of username claims acts, not a person of the org (the trail shows "System").
const USERNAME_CLAIMS = { kind: "system", id: null, name: "Username claims" } as const;

/** Another user's unproven claim on `username` gives way to its owner's proof (sign-up, or a link to that address). */
export async function releaseUnprovenClaim(tx: Tx, username: string, now: Date): Promise<void> {
  const holder = await tx.user.findFirst({ where: { claimedUsername: username, usernameProvedAt: null }, select: { id: true, orgId: true } });
  if (!holder) return;
  await tx.user.updateMany({ where: { id: holder.id, orgId: holder.orgId, usernameProvedAt: null }, data: { claimedUsername: null, updatedAt: now } });
  await recordEvent(
    { orgId: holder.orgId, actor: USERNAME_CLAIMS, request: null },
    { type: "user.username.released", user: { id: holder.id }, data: { username } },
    tx,
  );
}

/** Users one admin (or API token) may add per hour. */
export const ADD_USER_LIMIT: RateLimitRule = { limit: 50, windowSeconds: 60 * 60 };

export class AddUserLimitError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(retryAfterSeconds);
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    this.message = `You can add at most ${ADD_USER_LIMIT.limit} users an hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
}

/** Counts one "Add user" against the caller's hourly budget (the operator's command line has none). */
export async function takeAddUserSlot(ctx: Principal, now = new Date()): Promise<void> {
  const actor = actorOf(ctx);
  if (actor.kind === "system") return;
  const state = await hitRateLimit(`users:add:${actor.kind}:${actor.id}`, ADD_USER_LIMIT, now);
  const wait = secondsOverLimit(state, ADD_USER_LIMIT, now);
  if (wait > 0) throw new AddUserLimitError(wait);
}
