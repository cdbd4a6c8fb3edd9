import "server-only";
import { generateChallenge } from "@simplewebauthn/server/helpers";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { randomUUID } from "node:crypto";
import { db } from "../db/client";
import { execute, ts } from "../db/sql";
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
  const { orgId, userId, sessionId, pendingLoginId } = bindingColumns(binding);
  await execute(
    `INSERT INTO "WebAuthnChallenge" ("id", "challenge", "purpose", "orgId", "userId", "sessionId", "pendingLoginId", "expiresAt", "createdAt")
     VALUES ($1::uuid, $2, $3, $4::uuid, $5::uuid, $6::uuid, $7::uuid, $8::timestamp, $9::timestamp)`,
    [randomUUID(), challenge, purpose, orgId, userId, sessionId, pendingLoginId, ts(new Date(now.getTime() + CEREMONY_TIMEOUT_MS)), ts(now)],
  );
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
  // One statement; a null binding column must be NULL.
  const consumed = await execute(
    `UPDATE "WebAuthnChallenge" SET "consumedAt" = $1::timestamp
     WHERE "challenge" = $2 AND "purpose" = $3 AND "orgId" = $4::uuid AND "userId" = $5::uuid
       AND "sessionId" IS NOT DISTINCT FROM $6::uuid AND "pendingLoginId" IS NOT DISTINCT FROM $7::uuid
       AND "consumedAt" IS NULL AND "expiresAt" > $1::timestamp
     RETURNING 1`,
    [ts(now), challenge, purpose, orgId, userId, sessionId, pendingLoginId],
  );
  if (consumed !== 1) throw expired();
  return challenge;
}

function expired() {
  return new WebAuthnRefusal("challenge-invalid", "This security key request expired or was already used. Try again.");
}
