import "server-only";
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { generateAuthenticationOptions } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { UserFacingError } from "../../errors";
import type { RequestInfo } from "../../http/request-info";
import { userMethods } from "../../verification/methods";
import { verifyOwnKeyAssertion } from "../../webauthn/assertion";
import { CEREMONY_TIMEOUT_MS, issueChallenge } from "../../webauthn/challenges";
import { WebAuthnRefusal } from "../../webauthn/refusal";
import { relyingParty } from "../../webauthn/relying-party";
import { keySettingsOf } from "../../webauthn/settings";
import type { PendingLoginSubject } from "../org-context";
import { completeVerification, failVerification } from "./verification-core";

/** Security key, step 1: a challenge bound to this pending login; allowCredentials = the user's usable keys. */
export async function startKeyVerification(pending: PendingLoginSubject, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { usableKeys } = await userMethods(pending);
  if (usableKeys.length === 0) throw new UserFacingError("You have no security key you can use here. Choose another way to verify.");
  const challenge = await issueChallenge(pending, "login", now);
  return generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    challenge: isoBase64URL.toBuffer(challenge),
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: keySettingsOf(pending.policy).policy.userVerification,
    allowCredentials: usableKeys.map((k) => ({ id: k.credentialId, transports: k.transports as never })),
  });
}

/** Security key, step 2: the assertion must answer this pending login's challenge, by one of the user's own keys. */
export async function verifyWithKey(
  pending: PendingLoginSubject,
  response: AuthenticationResponseJSON,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  let keyUse: { keyId: string; keyName: string; newCounter: number };
  // No per-user slot: a key's signature cannot be guessed, and counting its failures per user would let
  // someone who knows only the password lock the owner's key out. The pending login's own 5 failures still apply.
  try {
    if (!pending.policy.allowSecurityKeys) throw new WebAuthnRefusal("keys-disabled", "Your org doesn't allow security keys. Choose another way to verify.");
    keyUse = await verifyOwnKeyAssertion(pending, response, "login", request, now, { deferCounterWrite: true });
  } catch (error) {
    return failVerification(pending, "Security key", error, request, now);
  }
  try {
    return await completeVerification(pending, "Security key", request, now, keyUse);
  } catch (error) {
    // Another assertion stored this counter first (a copy of the key): a failed verification like any regression.
    if (error instanceof WebAuthnRefusal) return failVerification(pending, "Security key", error, request, now);
    throw error;
  }
}
