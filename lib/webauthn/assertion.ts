import "server-only";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { isoBase64URL } from "@simplewebauthn/server/helpers";
import { db } from "../db/client";
import { col, execute, query, rowMapper, ts, type SqlTarget } from "../db/sql";
import { eventRow } from "../events/record";
import { eventCtes } from "../events/sql";
import type { RequestInfo } from "../http/request-info";
import { modelName } from "./aaguids";
import { storedKeyRefusal } from "./key-policy";
import { notifyPossibleClone } from "./notifications";
import { WebAuthnRefusal } from "./refusal";
import { relyingParty } from "./relying-party";
import { keySettingsOf } from "./settings";
import { challengeRefusal, consumeChallengeParams, consumeChallengeSql, type ChallengePurpose } from "./challenges";
import type { OrgContext, PendingLoginSubject } from "../auth/org-context";
import { attestationTrust } from "./trust/store";
import { userHandleOf } from "./user-handle";
import { challengeOf, verifyKeyAssertion } from "./verify";
import { countsUnder, USABLE_APP, USABLE_KEY } from "../verification/second-factors";

/**
 * Verifies an assertion by one of this user's own keys, answering a challenge
 * issued to this owner for `purpose`, which it consumes (once: a replay, an
 * expired challenge or another session's is refused) in the same statement that
 * reads the key. A credential of another user is "not
 * registered to your account". The org's current key policy applies again:
 * a model blocked or no longer allowed since registration is refused by name,
 * telling the user what else they can use. On success the key's counter and
 * last use are stored. A sign counter that went backwards, or a
 * backup-eligibility flag that differs from registration, flags the key and
 * emails the user and the org's admins, in one transaction; the assertion is
 * refused either way. The counter is written by compare-and-set
 * (`writeKeyUse`): when another assertion moved it first (a copy of the key
 * racing this one), that too is a regression. Used by re-authentication and
 * login; the login writes the new counter itself, with the pending login it
 * verifies (`deferCounterWrite`).
 */
export async function verifyOwnKeyAssertion(
  owner: OrgContext | PendingLoginSubject,
  response: AuthenticationResponseJSON,
  purpose: ChallengePurpose,
  request: RequestInfo,
  now = new Date(),
  { deferCounterWrite = false } = {},
): Promise<{ keyId: string; keyName: string; newCounter: number }> {
  const challenge = challengeOf(response);
  if (!challenge) throw challengeRefusal();
  // One round trip on the driver (the login's hot path: lib/db/sql.ts): the challenge is consumed whatever the
  // key turns out to be, and a refused challenge is answered before anything about the key.
  const [read] = await query(
    consumedKeyRow,
    `WITH c AS (${consumeChallengeSql(4)})
     SELECT EXISTS (SELECT 1 FROM c) AS "consumed", (
       SELECT row_to_json(k) FROM (
         SELECT "id", "credentialId", "publicKey", "signCount"::text AS "signCount", "transports", "aaguid", "modelProven", "backupEligible",
                "flaggedAt" IS NOT NULL AS "flagged", "name",
                "suspendedAt" IS NOT NULL OR EXISTS (SELECT 1 FROM "User" u WHERE u."id" = $2::uuid AND u."adminRecoveryRequiredAt" IS NOT NULL) AS "suspended"
         FROM "SecurityKey" WHERE "credentialId" = $1 AND "userId" = $2::uuid AND "orgId" = $3::uuid
       ) k
     ) AS "key"`,
    [response.id, owner.userId, owner.orgId, ...consumeChallengeParams(owner, purpose, challenge, now)],
  );
  if (!read?.consumed) throw challengeRefusal();
  const [key] = read.key ? storedKeyRow.map([read.key]) : [];
  if (!key) throw new WebAuthnRefusal("unknown-credential", "This security key isn't registered to your account.");
  if (key.flagged) throw new WebAuthnRefusal("counter-regression", "This security key was flagged as possibly copied and can't be used.");
  // A "This wasn't me" report suspended it (or the whole account awaits an admin): it still counts, it never verifies.
  if (key.suspended) throw new WebAuthnRefusal("key-suspended", "This security key is suspended after a “This wasn't me” report. Ask your admin.");
  const settings = keySettingsOf(owner.policy);
  const refusal = storedKeyRefusal(
    settings.policy,
    { aaguid: key.aaguid, name: modelName(key.aaguid), modelProven: key.modelProven, backupEligible: key.backupEligible, transports: key.transports },
    attestationTrust(),
  );
  if (refusal) throw new WebAuthnRefusal(refusal.code, `${refusal.message} ${await otherMethodsHint(owner, key.id)}`);
  const { rpID, origin } = relyingParty();
  try {
    const { newCounter } = await verifyKeyAssertion(
      response,
      { challenge, origin, rpID },
      {
        credentialId: key.credentialId,
        publicKey: isoBase64URL.toBuffer(key.publicKey),
        counter: Number(key.signCount),
        transports: key.transports,
        backupEligible: key.backupEligible,
        userHandle: userHandleOf(owner.userId),
      },
      settings.policy.userVerification,
    );
    if (!deferCounterWrite && !(await writeKeyUse(owner, key.id, newCounter, now))) throw counterRegression();
    return { keyId: key.id, keyName: key.name, newCounter };
  } catch (error) {
    if (error instanceof WebAuthnRefusal && (error.code === "counter-regression" || error.code === "backup-eligibility-changed")) {
      await flagPossibleClone(owner, { id: key.id, name: key.name }, request, now, error.code);
    }
    throw error;
  }
}

/** The refusal of an assertion whose sign counter did not move forward. */
export function counterRegression(): WebAuthnRefusal {
  return new WebAuthnRefusal(
    "counter-regression",
    "This security key may have been copied, so it can't be used. Your admins have been told. Use another method or contact your admin.",
  );
}

/** What flags a key: Gatehouse itself, answering an assertion. */
const CLONE_DETECTION = { kind: "system", id: null, name: "Gatehouse" } as const;

/**
 * Flags a key as a possible clone, with its user.security_key.flagged event in
 * the same statement, and emails its owner and the org's admins. Once: a
 * second bad assertion racing this one records no second event and sends no
 * second set of emails. The flag is its own write: whatever happens to the
 * alerts, the key stays flagged.
 */
export async function flagPossibleClone(
  owner: OrgContext | PendingLoginSubject,
  flagging: { id: string; name: string },
  request: RequestInfo,
  now: Date,
  reason: "counter-regression" | "backup-eligibility-changed" = "counter-regression",
): Promise<void> {
  const event = eventRow(
    { orgId: owner.orgId, actor: CLONE_DETECTION, request },
    { type: "user.security_key.flagged", at: now, user: { id: owner.userId }, credential: flagging, data: { reason } },
  );
  const [key] = await query(
    flaggedRow,
    `WITH f AS (
       UPDATE "SecurityKey" SET "flaggedAt" = $1::timestamp WHERE "id" = $2::uuid AND "orgId" = $3::uuid AND "flaggedAt" IS NULL
       RETURNING "orgId", "userId", "name", "aaguid"
     ), ${eventCtes("$4", `(SELECT "orgId", "userId" FROM f)`)}
     SELECT "name", "aaguid" FROM f`,
    [ts(now), flagging.id, owner.orgId, JSON.stringify([event])],
  );
  if (!key) return;
  await db()
    .$transaction((tx) => notifyPossibleClone(tx, owner, { name: key.name, model: modelName(key.aaguid) }, now, request))
    .catch((alertError: unknown) => console.error("a security key was flagged, but its alerts could not be queued", alertError));
}

const flaggedRow = rowMapper({ name: col.text, aaguid: col.text });

const consumedKeyRow = rowMapper({ consumed: col.bool, key: col.nullable(col.json<Record<string, unknown>>()) });

const storedKeyRow = rowMapper({
  id: col.text,
  credentialId: col.text,
  publicKey: col.text,
  signCount: col.bigintText,
  transports: col.textArray,
  aaguid: col.text,
  modelProven: col.bool,
  backupEligible: col.bool,
  flagged: col.bool,
  name: col.text,
  suspended: col.bool,
});

/**
 * SQL: the stored "signCount" moves forward to the counter in parameter `param`
 * (0 after 0 too: a key without a counter always sends 0). The condition of
 * every counter write, so of two assertions with the same counter only one is
 * stored.
 */
export const counterMovesForward = (param: string) => `("signCount" < ${param}::bigint OR ("signCount" = 0 AND ${param}::bigint = 0))`;

/**
 * Stores a verified assertion's counter and the key's last use, by
 * compare-and-set. False, changing nothing, when the counter would not move
 * forward (another assertion stored this counter or a later one first) or the
 * key was flagged meanwhile: the caller refuses the assertion as a regression.
 * On the driver, or (with `on`) inside the caller's Prisma transaction.
 */
export async function writeKeyUse(owner: OrgContext | PendingLoginSubject, keyId: string, newCounter: number, now: Date, on?: SqlTarget): Promise<boolean> {
  const written = await execute(
    `UPDATE "SecurityKey" SET "signCount" = $1::bigint, "lastUsedAt" = $2::timestamp
     WHERE "id" = $3::uuid AND "orgId" = $4::uuid AND "flaggedAt" IS NULL AND ${counterMovesForward("$1")} RETURNING 1`,
    [String(newCounter), ts(now), keyId, owner.orgId],
    on,
  );
  return written === 1;
}

/** "You can still verify with …": the user's other ways in, so a refused key is not a dead end. */
async function otherMethodsHint(owner: OrgContext | PendingLoginSubject, refusedKeyId: string): Promise<string> {
  const { userId, orgId, policy } = owner;
  const settings = keySettingsOf(policy);
  const trust = attestationTrust();
  const [keys, apps, codes] = await Promise.all([
    db().securityKey.findMany({
      where: { userId, orgId, ...USABLE_KEY, id: { not: refusedKeyId } },
      select: { aaguid: true, modelProven: true, backupEligible: true, transports: true },
    }),
    countsUnder(policy, "authenticator-app") ? db().authenticatorApp.count({ where: { userId, orgId, ...USABLE_APP } }) : 0,
    db().recoveryCode.count({ where: { userId, orgId, usedAt: null, suspendedAt: null } }),
  ]);
  const others: string[] = [];
  if (keys.some((k) => storedKeyRefusal(settings.policy, { ...k, name: null }, trust) === null)) others.push("another of your security keys");
  if (apps > 0) others.push("your authenticator app");
  if (codes > 0) others.push("a recovery code");
  if (others.length === 0) return "You have no other way to verify: ask your admin for a temporary verification code.";
  const list = others.length === 1 ? others[0] : `${others.slice(0, -1).join(", ")} or ${others.at(-1)}`;
  return `You can still verify with ${list}.`;
}
