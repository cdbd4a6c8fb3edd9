import "server-only";
import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON, type RegistrationResponseJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import type { MailboxProved, SteppedUp } from "../auth/freshness";
import type { OrgContext } from "../auth/org-context";
import { requirePermission } from "../auth/principal";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { UserFacingError } from "../errors";
import { recordEvent, withEvents } from "../events/record";
import { ulidToUuid } from "../events/ulid";
import { lockUserRow } from "../users/locks";
import { CEREMONY_TIMEOUT_MS, consumeChallenge, issueChallenge } from "./challenges";
import { notifyKeyRegistered } from "./notifications";
import { WebAuthnRefusal } from "./refusal";
import { SUPPORTED_ALGORITHMS, relyingParty } from "./relying-party";
import { MAX_KEYS_PER_USER, keySettingsOf } from "./settings";
import { userHandleBytes } from "./user-handle";
import { challengeOf, verifyKeyRegistration } from "./verify";

export const KEYS_DISABLED = "Your org has turned off security keys, so you can't register one. Ask your admin.";
export const ALREADY_REGISTERED = "This security key is already registered";
export const TOO_MANY_KEYS = `You can register up to ${MAX_KEYS_PER_USER} security keys. Remove one before adding another.`;

/** The registration entry points' precondition: the org allows security keys (403 keys-disabled otherwise), checked before any proof. */
export function assertKeysAllowed(ctx: OrgContext): void {
  if (!keySettingsOf(ctx.policy).keysAllowed) throw new KeysDisabledError();
}

export class KeysDisabledError extends WebAuthnRefusal {
  override readonly status = 403;
  constructor() {
    super("keys-disabled", KEYS_DISABLED);
  }
}

/** Options for navigator.credentials.create, after checking the org allows keys and the user re-authenticated. */
export async function startKeyRegistration(ctx: MailboxProved<SteppedUp>, now = new Date()): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const settings = keySettingsOf(ctx.policy);
  if (!settings.keysAllowed) throw new KeysDisabledError();
  // During required-MFA enrolment, a first key only after this session proved the user's mailbox.
  requirePermission(ctx, "account:self");
  const existing = await db().securityKey.findMany({
    where: { userId: ctx.userId, orgId: ctx.orgId },
    select: { credentialId: true, transports: true },
  });
  if (existing.length >= MAX_KEYS_PER_USER) throw new UserFacingError(TOO_MANY_KEYS);
  const { rpID, rpName } = relyingParty();
  return generateRegistrationOptions({
    rpName,
    rpID,
    userID: userHandleBytes(ctx.userId),
    userName: ctx.username,
    userDisplayName: ctx.userName,
    // Bytes, not the string: a string challenge would be UTF-8 encoded before base64url.
    challenge: isoBase64URL.toBuffer(await issueChallenge(ctx, "register", now)),
    timeout: CEREMONY_TIMEOUT_MS,
    // Direct attestation tells us the model (AAGUID) and lets an allow-list mean something.
    attestationType: "direct",
    excludeCredentials: existing.map((k) => ({ id: k.credentialId, transports: k.transports })),
    authenticatorSelection: {
      authenticatorAttachment: settings.policy.authenticatorType === "cross-platform" ? "cross-platform" : undefined,
      residentKey: "discouraged",
      userVerification: settings.policy.userVerification,
    },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
  });
}

/** The model's name, else "Security key N"; never one of the user's current key names (", 2" and on are appended). */
export function defaultKeyName(model: string | null, taken: string[]): string {
  const used = new Set(taken.map((n) => n.toLowerCase()));
  if (model) {
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? model : `${model} (${n})`;
      if (!used.has(candidate.toLowerCase())) return candidate;
    }
  }
  for (let n = taken.length + 1; ; n++) {
    if (!used.has(`security key ${n}`)) return `Security key ${n}`;
  }
}

export interface RegisteredKey {
  id: string;
  name: string;
  model: string | null;
}

/**
 * Verifies the new key and stores it with its notification email and history
 * row in one transaction. Every refusal of the key (its challenge, attestation,
 * model or policy) is recorded and changes nothing else; a session without the
 * step-up or mailbox proof never gets here (its entry point refuses it first).
 */
export async function finishKeyRegistration(ctx: MailboxProved<SteppedUp>, response: RegistrationResponseJSON, now = new Date()): Promise<RegisteredKey> {
  const { request } = ctx;
  const settings = keySettingsOf(ctx.policy);
  try {
    // Checked again here: the org may have turned keys off since the options were issued.
    if (!settings.keysAllowed) throw new KeysDisabledError();
    requirePermission(ctx, "account:self");
    const challenge = await consumeChallenge(ctx, "register", challengeOf(response), now);
    const { rpID, origin } = relyingParty();
    const key = await verifyKeyRegistration(response, { challenge, origin, rpID }, settings.policy);
    if (await db().securityKey.findUnique({ where: { credentialId: key.credentialId }, select: { id: true } })) {
      throw new WebAuthnRefusal("already-registered", ALREADY_REGISTERED);
    }
    const model = key.modelName;
    const registered = await withEvents(async (tx) => {
      await lockUserRow(tx, ctx);
      const names = (await tx.securityKey.findMany({ where: { userId: ctx.userId, orgId: ctx.orgId }, select: { name: true } })).map((k) => k.name);
      if (names.length >= MAX_KEYS_PER_USER) throw new UserFacingError(TOO_MANY_KEYS);
      const name = defaultKeyName(model, names);
      const row = await tx.securityKey.create({
        data: {
          orgId: ctx.orgId,
          userId: ctx.userId,
          credentialId: key.credentialId,
          publicKey: isoBase64URL.fromBuffer(key.publicKey),
          signCount: BigInt(key.counter),
          transports: key.transports,
          aaguid: key.aaguid,
          attestationFormat: key.attestationFormat,
          attestation: key.attestation,
          backupEligible: key.backupEligible,
          backedUp: key.backedUp,
          modelProven: key.proof.proven,
          modelProofSource: key.proof.source,
          modelProofDetail: key.proof.detail,
          name,
          createdAt: now,
        },
      });
      const event = await recordEvent(
        ctx,
        {
          type: "user.security_key.registered",
          user: { id: ctx.userId, name: ctx.userName },
          credential: { id: row.id, name, aaguid: key.aaguid, modelVerified: key.proof.proven },
        },
        tx,
      );
      const email = await notifyKeyRegistered(tx, ctx, { keyId: row.id, name, model, at: now, request });
      await tx.securityKey.updateMany({
        where: { id: row.id, orgId: ctx.orgId },
        // The event's history row carries its id as a UUID: naming the key renames both (./keys.ts).
        data: { registrationEmailId: email.id, registrationEventId: ulidToUuid(event.id) },
      });
      return { id: row.id, name, model };
    });
    return registered;
  } catch (error) {
    const refusal = isUniqueViolation(error, "credentialId") ? new WebAuthnRefusal("already-registered", ALREADY_REGISTERED) : error;
    await recordEvent(ctx, {
      type: "user.security_key.registration_failed",
      user: { id: ctx.userId, name: ctx.userName },
      data: { reason: refusal instanceof Error ? refusal.message : "Registration failed" },
    });
    throw refusal;
  }
}
