import "server-only";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { db } from "../db/client";
import type { RequestInfo } from "../http/request-info";
import { modelName } from "./aaguids";
import { notifyPossibleClone } from "./notifications";
import { WebAuthnRefusal } from "./refusal";
import { relyingParty } from "./relying-party";
import { keySettingsOf } from "./settings";
import type { OrgContext, PendingLoginSubject } from "../auth/org-context";
import { verifyKeyAssertion } from "./verify";

/**
 * Verifies an assertion by one of this user's own keys, answering `challenge`
 * (already consumed by the caller). A credential of another user is "not
 * registered to your account". On success the key's counter and last use are
 * stored. A sign counter that went backwards flags the key as a possible
 * clone and emails the user and the org's admins, in one transaction; the
 * assertion is refused either way. Used by re-authentication and login.
 */
export async function verifyOwnKeyAssertion(
  owner: OrgContext | PendingLoginSubject,
  response: AuthenticationResponseJSON,
  challenge: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ keyId: string; keyName: string }> {
  const key = await db().securityKey.findFirst({ where: { credentialId: response.id, userId: owner.userId, orgId: owner.orgId } });
  if (!key) throw new WebAuthnRefusal("unknown-credential", "This security key isn't registered to your account.");
  if (key.flaggedAt) throw new WebAuthnRefusal("counter-regression", "This security key was flagged as possibly copied and can't be used.");
  const settings = keySettingsOf(owner.policy);
  const { rpID, origin } = relyingParty();
  try {
    const { newCounter } = await verifyKeyAssertion(
      response,
      { challenge, origin, rpID },
      { credentialId: key.credentialId, publicKey: isoBase64URL.toBuffer(key.publicKey), counter: Number(key.signCount), transports: key.transports },
      settings.policy.userVerification,
    );
    await db().securityKey.updateMany({ where: { id: key.id, orgId: owner.orgId }, data: { signCount: BigInt(newCounter), lastUsedAt: now } });
    return { keyId: key.id, keyName: key.name };
  } catch (error) {
    if (error instanceof WebAuthnRefusal && error.code === "counter-regression") {
      // Flag once: a second regressed assertion racing this one sends no second set of emails.
      // The flag is its own write: whatever happens to the alerts, the key stays flagged.
      const { count } = await db().securityKey.updateMany({ where: { id: key.id, orgId: owner.orgId, flaggedAt: null }, data: { flaggedAt: now } });
      if (count === 1) {
        await db()
          .$transaction((tx) => notifyPossibleClone(tx, owner, { name: key.name, model: modelName(key.aaguid) }, now, request))
          .catch((alertError: unknown) => console.error("a possibly cloned key was flagged, but its alerts could not be queued", alertError));
      }
    }
    throw error;
  }
}
