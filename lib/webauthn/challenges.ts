import { generateChallenge } from "@simplewebauthn/server/helpers";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import type { OrgContext } from "../auth/org-context";
import { db } from "../db/client";
import { WebAuthnRefusal } from "./refusal";

export type ChallengePurpose = "register" | "reauth";

/** How long a ceremony may take; the UI shows the same countdown. */
export const CEREMONY_TIMEOUT_MS = 120_000;

/** A fresh random challenge stored server-side, bound to this user, session and purpose. */
export async function issueChallenge(ctx: OrgContext, purpose: ChallengePurpose, now = new Date()): Promise<string> {
  const challenge = isoBase64URL.fromBuffer(await generateChallenge());
  await db().webAuthnChallenge.create({
    data: {
      challenge,
      purpose,
      orgId: ctx.orgId,
      userId: ctx.userId,
      sessionId: ctx.sessionId,
      expiresAt: new Date(now.getTime() + CEREMONY_TIMEOUT_MS),
    },
  });
  // Old rows are useless once expired; sweeping here keeps the table small without a job.
  await db().webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 3_600_000) } } });
  return challenge;
}

/**
 * Consumes a challenge exactly once: it must exist, belong to this user,
 * session and purpose, be unexpired and unused. The conditional update is
 * atomic, so two concurrent verifications cannot both succeed.
 */
export async function consumeChallenge(
  ctx: OrgContext,
  purpose: ChallengePurpose,
  challenge: string | null,
  now = new Date(),
): Promise<string> {
  if (!challenge) throw expired();
  const { count } = await db().webAuthnChallenge.updateMany({
    where: {
      challenge,
      purpose,
      orgId: ctx.orgId,
      userId: ctx.userId,
      sessionId: ctx.sessionId,
      consumedAt: null,
      expiresAt: { gt: now },
    },
    data: { consumedAt: now },
  });
  if (count !== 1) throw expired();
  return challenge;
}

function expired() {
  return new WebAuthnRefusal("challenge-invalid", "This security key request expired or was already used. Try again.");
}
