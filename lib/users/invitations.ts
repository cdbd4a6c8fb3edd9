import "server-only";
import crypto from "node:crypto";
import { recordEvent, SELF, withEvents } from "../events/record";
import { hashPassword } from "../auth/passwords/password";
import { withPasswordCheck } from "../auth/login/admission";
import { assertPasswordAllowed } from "../auth/passwords/password-policy";
import { hashToken } from "../crypto/tokens";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import type { Prisma } from "../db/generated/client";
import { enqueueEmail } from "../email/outbox";
import { env } from "../env";
import { UserFacingError } from "../errors";
import type { RequestInfo } from "../http/request-info";
import { afterPasswordReset, replacePassword } from "./password-changes";
import { claimRefusal, claimUsername, provesUsername, type ClaimRefusal } from "./usernames";

// "Set your password" links: invitations from an admin, and password resets
// ("Forgot your password?", an admin's "Reset password", "This wasn't me"; see
// ./password-reset.ts). The token travels only in the email; the database
// keeps its SHA-256, so a leaked table cannot be turned into links.

export const INVITATION_TTL_MS = 72 * 60 * 60_000;
export const RESET_TTL_MS = 60 * 60_000;
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type InvitationProblem = "invalid" | "used" | "replaced" | "expired" | ClaimRefusal;
export type SetPasswordPurpose = "invitation" | "reset";

/** A set-password link whose username someone else logs in with (lib/users/usernames.ts): the same words for invitations and resets. */
const USERNAME_PROBLEMS: Record<ClaimRefusal, { title: string; detail: string }> = {
  taken: {
    title: "This username belongs to someone else",
    detail:
      "The owner of this address proved it's theirs in another Gatehouse org first, so this link can't be used. Ask your admin to add you with a different username.",
  },
  held: {
    title: "This username is already in use",
    detail:
      "Another Gatehouse account logs in with it, and this link was emailed to a different address, so it can't prove the username is yours. Ask your admin to send the invitation to the username's own address, or to add you with a different username.",
  },
};

export const INVITATION_PROBLEMS: Record<InvitationProblem, { title: string; detail: string }> = {
  invalid: {
    title: "This link isn't valid",
    detail: "Check that you opened the whole link from your “Set your password” email. If it still doesn't work, ask your admin to send a new invitation.",
  },
  used: {
    title: "This link has already been used",
    detail: "Each link sets a password once. Log in with the password you chose, or ask your admin to send a new invitation.",
  },
  replaced: {
    title: "A newer link was sent; use the latest email",
    detail: "Sending a new “Set your password” email makes the earlier links stop working. Open the link in the newest one.",
  },
  expired: {
    title: "This link has expired",
    detail: "Links to set your password work for 72 hours. Ask your admin to send a new invitation.",
  },
  ...USERNAME_PROBLEMS,
};

export const RESET_PROBLEMS: Record<InvitationProblem, { title: string; detail: string }> = {
  invalid: {
    title: "This link isn't valid",
    detail: "Check that you opened the whole link from your “Reset your Gatehouse password” email, or ask for a new one from the login page.",
  },
  used: {
    title: "This link has already been used",
    detail: "Each link sets a password once. Log in with the password you chose, or ask for a new link from the login page.",
  },
  replaced: {
    title: "A newer link was sent; use the latest email",
    detail: "Asking for a new link makes the earlier ones stop working. Open the link in your newest “Reset your Gatehouse password” email.",
  },
  expired: {
    title: "This link has expired",
    detail: "Links to reset your password work for 1 hour. Ask for a new one with “Forgot your password?” on the login page.",
  },
  ...USERNAME_PROBLEMS,
};

export function setPasswordProblems(purpose: SetPasswordPurpose) {
  return purpose === "reset" ? RESET_PROBLEMS : INVITATION_PROBLEMS;
}

export class InvitationError extends UserFacingError {
  override readonly status = 410;
  constructor(
    readonly problem: InvitationProblem,
    purpose: SetPasswordPurpose = "invitation",
  ) {
    super(setPasswordProblems(purpose)[problem].title);
    this.name = "InvitationError";
  }
}

export interface Invitee {
  id: string;
  orgId: string;
  name: string;
  username: string;
  email: string;
}

/**
 * Issues a single-use token and queues the "Set your password" email, both in
 * the caller's transaction. Older links of the same user stop working.
 */
export async function issueInvitation(
  tx: Prisma.TransactionClient,
  invite: { user: Invitee; orgName: string; invitedBy: string },
  now = new Date(),
): Promise<void> {
  const { user } = invite;
  const { link, expiresAt } = await createSetPasswordLink(tx, user, "invitation", now);
  await enqueueEmail(tx, {
    orgId: user.orgId,
    to: user.email,
    template: "set-password",
    data: {
      name: user.name,
      username: user.username,
      orgName: invite.orgName,
      invitedBy: invite.invitedBy,
      link,
      expiresAt,
    },
  });
}

/**
 * A new single-use set-password link for a user, in the caller's transaction;
 * their older unused links (invitation or reset) stop working.
 */
export async function createSetPasswordLink(
  tx: Prisma.TransactionClient,
  user: Pick<Invitee, "id" | "orgId">,
  purpose: SetPasswordPurpose,
  now: Date,
): Promise<{ link: string; expiresAt: Date }> {
  const token = crypto.randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = new Date(now.getTime() + (purpose === "reset" ? RESET_TTL_MS : INVITATION_TTL_MS));
  await tx.invitationToken.updateMany({ where: { userId: user.id, orgId: user.orgId, usedAt: null }, data: { usedAt: now } });
  await tx.invitationToken.create({ data: { tokenHash: hashToken(token), userId: user.id, orgId: user.orgId, purpose, expiresAt, createdAt: now } });
  return { link: `${env().APP_URL.replace(/\/+$/, "")}/set-password/${token}`, expiresAt };
}

async function findInvitation(token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  return db().invitationToken.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      id: true,
      userId: true,
      orgId: true,
      expiresAt: true,
      usedAt: true,
      purpose: true,
      user: { select: { name: true, username: true, email: true, isActive: true } },
      org: { select: { name: true } },
    },
  });
}

type FoundInvitation = NonNullable<Awaited<ReturnType<typeof findInvitation>>>;

async function problemOf(found: FoundInvitation | null, now: Date): Promise<InvitationProblem | null> {
  if (!found || !found.user.isActive) return "invalid";
  if (found.usedAt) return (await replacedByNewerLink(found)) ? "replaced" : "used";
  if (found.expiresAt.getTime() <= now.getTime()) return "expired";
  return claimRefusal(db(), { id: found.userId, username: found.user.username }, provesUsername(found.user));
}

/** createSetPasswordLink voids older links with the new link's own creation time: a link voided at that instant was replaced, not used. */
async function replacedByNewerLink(found: FoundInvitation): Promise<boolean> {
  const newer = await db().invitationToken.count({
    where: { userId: found.userId, orgId: found.orgId, createdAt: found.usedAt!, id: { not: found.id } },
  });
  return newer > 0;
}

export type InvitationStatus =
  | { ok: true; name: string; username: string; orgName: string; purpose: SetPasswordPurpose }
  | { ok: false; problem: InvitationProblem; purpose: SetPasswordPurpose };

const purposeOf = (found: FoundInvitation | null): SetPasswordPurpose => (found?.purpose === "reset" ? "reset" : "invitation");

/** What the set-password page shows for a token. Reads only. */
export async function inspectInvitation(token: string, now = new Date()): Promise<InvitationStatus> {
  const found = await findInvitation(token);
  const problem = await problemOf(found, now);
  if (problem || !found) return { ok: false, problem: problem ?? "invalid", purpose: purposeOf(found) };
  return { ok: true, name: found.user.name, username: found.user.username, orgName: found.org.name, purpose: purposeOf(found) };
}

const UNKNOWN_REQUEST: RequestInfo = { ip: null, userAgent: null };

/**
 * Sets the user's password and uses up the token, atomically: of two
 * submissions racing with one link, exactly one succeeds. A reset link also
 * ends every session and pending login of the user (./password-reset.ts).
 */
export async function completeInvitation(token: string, password: string, now = new Date(), request = UNKNOWN_REQUEST): Promise<{ username: string }> {
  const found = await findInvitation(token);
  const problem = await problemOf(found, now);
  const purpose = purposeOf(found);
  if (problem || !found) throw new InvitationError(problem ?? "invalid", purpose);
  assertPasswordAllowed(password, { username: found.user.username, orgName: found.org.name });

  // Admitted like a login's password check: a flood of set-password submissions cannot starve logins.
  const claim = { ip: request.ip, account: found.user.username, orgId: found.orgId };
  const passwordHash = await withPasswordCheck(claim, () => hashPassword(password));
  await withEvents(async (tx) => {
    const consumed = await tx.invitationToken.updateMany({
      where: { id: found.id, orgId: found.orgId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (consumed.count !== 1) throw new InvitationError("used", purpose);
    const updated = await replacePassword(tx, { id: found.userId, orgId: found.orgId }, passwordHash, now, { activeOnly: true });
    if (!updated) throw new InvitationError("invalid", purpose);
    // The user logs in with their username from now on, unless someone else already does (lib/users/usernames.ts).
    const refusal = await claimUsername(tx, { id: found.userId, orgId: found.orgId, username: found.user.username }, provesUsername(found.user), now);
    if (refusal) throw new InvitationError(refusal, purpose);
    if (purpose === "reset") {
      const user = { id: found.userId, orgId: found.orgId, name: found.user.name, email: found.user.email, orgName: found.org.name };
      return afterPasswordReset(tx, user, request, now);
    }
    await recordEvent(
      { orgId: found.orgId, actor: SELF, request },
      { type: "user.invitation.accepted", user: { id: found.userId, name: found.user.name, username: found.user.username } },
      tx,
    );
  }).catch((error: unknown) => {
    // Another link to the username's own address proved it a moment earlier: the first confirmation wins.
    throw isUniqueViolation(error, "claimedUsername") ? new InvitationError("taken", purpose) : error;
  });
  return { username: found.user.username };
}
