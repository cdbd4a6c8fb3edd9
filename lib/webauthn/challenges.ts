import "server-only";
import { generateChallenge } from "@simplewebauthn/server/helpers";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { db } from "../db/client";
import { sweepOccasionally } from "../db/sweep";
import { WebAuthnRefusal } from "./refusal";
import type { OrgContext, PendingLoginSubject } from "../auth/org-context";

export type ChallengePurpose = "register" | "reauth" | "login" | "reauth-app";

/**
 * Who a challenge is for: a signed-in session (registration, re-authentication)
 * or a pending login (verification at login).
 */
export type ChallengeBinding = OrgContext | PendingLoginSubject;

function bindingColumns(binding: ChallengeBinding) {
  return {
    orgId: binding.orgId,
    userId: binding.userId,
    sessionId: binding.kind === "session" ? binding.sessionId : null,
    pendingLoginId: binding.kind === "pending-login" ? binding.id : null,
  };
}

/** How long a ceremony may take; the UI shows the same countdown. */
export const CEREMONY_TIMEOUT_MS = 120_000;

/** A fresh random challenge stored server-side, bound to this user, session (or pending login) and purpose. */
export async function issueChallenge(binding: ChallengeBinding, purpose: ChallengePurpose, now = new Date()): Promise<string> {
  const challenge = isoBase64URL.fromBuffer(await generateChallenge());
  await db().webAuthnChallenge.create({
    data: {
      challenge,
      purpose,
      ...bindingColumns(binding),
      expiresAt: new Date(now.getTime() + CEREMONY_TIMEOUT_MS),
    },
  });
  // Old rows are useless once expired; sweeping here keeps the table small without a job.
  await sweepOccasionally("WebAuthnChallenge", () => db().webAuthnChallenge.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 3_600_000) } } }));
  return challenge;
}

/**
 * Consumes a challenge exactly once: it must exist, belong to this user,
 * session (or pending login) and purpose, be unexpired and unused. The conditional update is
 * atomic, so two concurrent verifications cannot both succeed.
 */
export async function consumeChallenge(binding: ChallengeBinding, purpose: ChallengePurpose, challenge: string | null, now = new Date()): Promise<string> {
  if (!challenge) throw expired();
  const { orgId, userId, sessionId, pendingLoginId } = bindingColumns(binding);
  // One statement (Prisma's updateMany would wrap its UPDATE in BEGIN … COMMIT); a null binding column must be NULL.
  const count = await db().$executeRaw`
    UPDATE "WebAuthnChallenge" SET "consumedAt" = ${now}
    WHERE "challenge" = ${challenge} AND "purpose" = ${purpose} AND "orgId" = ${orgId}::uuid AND "userId" = ${userId}::uuid
      AND "sessionId" IS NOT DISTINCT FROM ${sessionId}::uuid AND "pendingLoginId" IS NOT DISTINCT FROM ${pendingLoginId}::uuid
      AND "consumedAt" IS NULL AND "expiresAt" > ${now}`;
  if (count !== 1) throw expired();
  return challenge;
}

function expired() {
  return new WebAuthnRefusal("challenge-invalid", "This security key request expired or was already used. Try again.");
}
