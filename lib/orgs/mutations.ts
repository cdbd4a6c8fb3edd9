import "server-only";
import { recordEvent, withEvents } from "../events/record";
import { hashPassword } from "../auth/passwords/password";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import type { Prisma } from "../db/generated/client";
import { UserFacingError } from "../errors";
import type { RequestInfo } from "../http/request-info";
import { releaseUnprovenClaim } from "../users/usernames";
import type { SignupInput } from "../validation/account";

export const SLUG_TAKEN = "This URL name is taken. Try another.";
export const USERNAME_TAKEN = "This email is already a Gatehouse username. Log in, or use another email.";

export interface CreatedOrg {
  orgId: string;
  userId: string;
  username: string;
}

/** An org and its first admin as sign-up stores them: the password is already hashed. */
export interface NewOrg {
  orgName: string;
  slug: string;
  name: string;
  email: string;
  passwordHash: string;
}

/** Refuses a taken slug or username (the email, in any case) with field errors, both at once. */
export async function assertOrgAvailable(slug: string, email: string): Promise<void> {
  const fieldErrors = await takenFields({ slug, email });
  if (Object.keys(fieldErrors).length) throw new UserFacingError("Check the highlighted fields.", fieldErrors);
}

/**
 * Field errors for a slug or username (email) already in use; a value not given is not checked. A username is in
 * use only once its owner proved the mailbox (lib/users/usernames.ts): sign-up proves it too, and wins over a claim that did not.
 */
export async function takenFields({ slug, email }: { slug?: string; email?: string }): Promise<Record<string, string>> {
  const [slugTaken, usernameTaken] = await Promise.all([
    slug ? db().org.findUnique({ where: { slug }, select: { id: true } }) : null,
    email ? db().user.findUnique({ where: { claimedUsername: email.toLowerCase() }, select: { usernameProvedAt: true } }) : null,
  ]);
  const fieldErrors: Record<string, string> = {};
  if (slugTaken) fieldErrors.slug = SLUG_TAKEN;
  if (usernameTaken?.usernameProvedAt) fieldErrors.email = USERNAME_TAKEN;
  return fieldErrors;
}

/**
 * The org, its admin and the audit row, inside the caller's transaction. The admin's username is their email, which
 * sign-up proved with a code (or the operator vouches for): the admin holds it across orgs, taking it from a claim that was never proven.
 */
export async function insertOrgWithAdmin(
  tx: Prisma.TransactionClient,
  input: NewOrg,
  request?: RequestInfo,
  /** Who made it, when not the admin signing up: the operator's command line, the demo seed ("Command line: org:create"). */
  systemActor?: string,
): Promise<CreatedOrg> {
  const username = input.email.toLowerCase();
  const now = new Date();
  const org = await tx.org.create({ data: { slug: input.slug, name: input.orgName } });
  await releaseUnprovenClaim(tx, username, now);
  const user = await tx.user.create({
    data: {
      orgId: org.id,
      username,
      claimedUsername: username,
      usernameProvedAt: now,
      email: input.email,
      name: input.name,
      role: "ADMIN",
      passwordHash: input.passwordHash,
    },
  });
  await recordEvent(
    {
      orgId: org.id,
      actor: systemActor ? { kind: "system", id: null, name: systemActor } : { kind: "user", id: user.id, name: user.name },
      request: request ?? null,
    },
    { type: "org.created", org: { name: org.name, slug: org.slug } },
    tx,
  );
  return { orgId: org.id, userId: user.id, username };
}

/**
 * Two sign-ups racing for one slug or username: the loser's unique violation
 * as the field error it would have got a moment later. Null for anything else.
 */
export function takenFieldError(error: unknown): UserFacingError | null {
  if (isUniqueViolation(error, "slug")) return new UserFacingError("Check the highlighted fields.", { slug: SLUG_TAKEN });
  if (isUniqueViolation(error, "claimedUsername")) return new UserFacingError("Check the highlighted fields.", { email: USERNAME_TAKEN });
  return null;
}

/**
 * An org and its first admin, whose username is their email, at once (tests
 * and tooling). Self-service sign-up proves the email first (lib/orgs/signup.ts)
 * and then stores the same rows with insertOrgWithAdmin.
 */
export async function createOrgWithAdmin(input: SignupInput, systemActor?: string): Promise<CreatedOrg> {
  await assertOrgAvailable(input.slug, input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await withEvents((tx) => insertOrgWithAdmin(tx, { ...input, passwordHash }, undefined, systemActor));
  } catch (error) {
    throw takenFieldError(error) ?? error;
  }
}
