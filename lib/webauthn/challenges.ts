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
  if (!challenge) throw challengeRefusal();
  const consumed = await execute(consumeChallengeSql(1), consumeChallengeParams(binding, purpose, challenge, now));
  if (consumed !== 1) throw challengeRefusal();
  return challenge;
}

/**
 * The statement that consumes a challenge (see consumeChallenge), returning one
 * row when it did; its seven parameters are `$first` onwards, in the order
 * consumeChallengeParams gives them. A caller may run it as a CTE of its own
 * statement (the key assertion reads the key in the same round trip).
 */
export function consumeChallengeSql(first: number): string {
  const [now, challenge, purpose, orgId, userId, sessionId, pendingLoginId] = Array.from({ length: 7 }, (_, i) => `$${first + i}`);
  // A null binding column must be NULL.
  return `UPDATE "WebAuthnChallenge" SET "consumedAt" = ${now}::timestamp
     WHERE "challenge" = ${challenge} AND "purpose" = ${purpose} AND "orgId" = ${orgId}::uuid AND "userId" = ${userId}::uuid
       AND "sessionId" IS NOT DISTINCT FROM ${sessionId}::uuid AND "pendingLoginId" IS NOT DISTINCT FROM ${pendingLoginId}::uuid
       AND "consumedAt" IS NULL AND "expiresAt" > ${now}::timestamp
     RETURNING 1`;
}

export function consumeChallengeParams(binding: ChallengeBinding, purpose: ChallengePurpose, challenge: string, now: Date): unknown[] {
  const { orgId, userId, sessionId, pendingLoginId } = bindingColumns(binding);
  return [ts(now), challenge, purpose, orgId, userId, sessionId, pendingLoginId];
}

/** A challenge that is missing, unknown, someone else's, expired or already used: one answer for all. */
export function challengeRefusal(): WebAuthnRefusal {
  return new WebAuthnRefusal("challenge-invalid", "This security key request expired or was already used. Try again.");
}
