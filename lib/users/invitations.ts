import "server-only";
import crypto from "node:crypto";
import { recordAudit } from "../audit/mutations";
import { hashPassword } from "../auth/password";
import { hashToken } from "../crypto/tokens";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { enqueueEmail } from "../email/outbox";
import { env } from "../env";
import { UserFacingError } from "../errors";

// "Set your password" invitations. The token travels only in the email; the
// database keeps its SHA-256, so a leaked table cannot be turned into links.

export const INVITATION_TTL_MS = 72 * 60 * 60_000;
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type InvitationProblem = "invalid" | "used" | "expired";

export const INVITATION_PROBLEMS: Record<InvitationProblem, { title: string; detail: string }> = {
  invalid: {
    title: "This link isn't valid",
    detail: "Check that you opened the whole link from your “Set your password” email. If it still doesn't work, ask your admin to send a new invitation.",
  },
  used: {
    title: "This link has already been used",
    detail: "Each link sets a password once. Log in with the password you chose, or ask your admin to send a new invitation.",
  },
  expired: {
    title: "This link has expired",
    detail: "Links to set your password work for 72 hours. Ask your admin to send a new invitation.",
  },
};

export class InvitationError extends UserFacingError {
  override readonly status = 410;
  constructor(readonly problem: InvitationProblem) {
    super(INVITATION_PROBLEMS[problem].title);
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
  const token = crypto.randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await tx.invitationToken.updateMany({ where: { userId: user.id, orgId: user.orgId, usedAt: null }, data: { usedAt: now } });
  await tx.invitationToken.create({ data: { tokenHash: hashToken(token), userId: user.id, orgId: user.orgId, expiresAt } });
  await enqueueEmail(tx, {
    orgId: user.orgId,
    to: user.email,
    template: "set-password",
    data: {
      name: user.name,
      username: user.username,
      orgName: invite.orgName,
      invitedBy: invite.invitedBy,
      link: `${env().APP_URL.replace(/\/+$/, "")}/set-password/${token}`,
      expiresAt,
    },
  });
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
      user: { select: { name: true, username: true, isActive: true } },
      org: { select: { name: true } },
    },
  });
}

type FoundInvitation = NonNullable<Awaited<ReturnType<typeof findInvitation>>>;

function problemOf(found: FoundInvitation | null, now: Date): InvitationProblem | null {
  if (!found || !found.user.isActive) return "invalid";
  if (found.usedAt) return "used";
  if (found.expiresAt.getTime() <= now.getTime()) return "expired";
  return null;
}

export type InvitationStatus = { ok: true; name: string; username: string; orgName: string } | { ok: false; problem: InvitationProblem };

/** What the set-password page shows for a token. Reads only. */
export async function inspectInvitation(token: string, now = new Date()): Promise<InvitationStatus> {
  const found = await findInvitation(token);
  const problem = problemOf(found, now);
  if (problem || !found) return { ok: false, problem: problem ?? "invalid" };
  return { ok: true, name: found.user.name, username: found.user.username, orgName: found.org.name };
}

/**
 * Sets the invited user's password and uses up the token, atomically: of two
 * submissions racing with one link, exactly one succeeds.
 */
export async function completeInvitation(token: string, password: string, now = new Date()): Promise<{ username: string }> {
  const found = await findInvitation(token);
  const problem = problemOf(found, now);
  if (problem || !found) throw new InvitationError(problem ?? "invalid");

  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    const consumed = await tx.invitationToken.updateMany({
      where: { id: found.id, orgId: found.orgId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (consumed.count !== 1) throw new InvitationError("used");
    const updated = await tx.user.updateMany({ where: { id: found.userId, orgId: found.orgId, isActive: true }, data: { passwordHash } });
    if (updated.count !== 1) throw new InvitationError("invalid");
    await tx.invitationToken.updateMany({ where: { userId: found.userId, orgId: found.orgId, usedAt: null }, data: { usedAt: now } });
    await recordAudit(
      {
        orgId: found.orgId,
        actor: { id: found.userId, name: found.user.name },
        action: "Set password from invitation",
        section: "Users",
        targetId: found.userId,
      },
      tx,
    );
  });
  return { username: found.user.username };
}
