import { describe, expect, it } from "vitest";
import { registering } from "../support/step-up";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { requirePendingLogin } from "@/lib/auth/login/pending-login";
import { reauthenticateWithKey, reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { db } from "@/lib/db/client";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { userHandleOf } from "@/lib/webauthn/user-handle";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import { SOFT_KEY_AAGUID, SoftAuthenticator, type RegisterOptions, type SoftCredential } from "../support/soft-authenticator";
import { RP } from "../support/security-keys";

// DESIGN §9: the org's key policy applies again at every assertion. A model
// blocked (or no longer allowed) after registration stops working, with its
// name and the user's other methods in the message; the signed
// backup-eligibility flag must match registration; userHandle must be the user's.

useTestDatabase();

async function userWithKeys(keys: RegisterOptions[], settings: Parameters<typeof setOrgSettings>[1] = {}) {
  const org = await createOrg("Policy");
  await setOrgSettings(org.orgId, settings);
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const authenticator = new SoftAuthenticator(RP);
  const registered: { id: string; credential: SoftCredential }[] = [];
  for (const options of keys) {
    const { response, credential } = await keyResponseFor(ctx, options, authenticator);
    registered.push({ id: (await finishKeyRegistration(await registering(ctx), response)).id, credential });
  }
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { org, user, authenticator, keys: registered };
}

async function loginAssertion(username: string, authenticator: SoftAuthenticator, credential: SoftCredential) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie: null });
  const pending = await requirePendingLogin(step.pendingToken);
  const { challenge } = await startKeyVerification(pending);
  return { pending, response: authenticator.assert(credential, challenge) };
}

const sessionsOf = (userId: string) => db().session.count({ where: { userId } });

describe("a model blocked after registration", () => {
  it("no longer verifies a login: refused by name, the user told what else they have, nothing stored", async () => {
    const { org, user, authenticator, keys } = await userWithKeys([{ attestation: "packed" }, { attestation: "fido-u2f" }]);
    const [packed, u2f] = keys;
    await setOrgSettings(org.orgId, { blockedAaguids: [SOFT_KEY_AAGUID] });
    const before = await db().securityKey.findUniqueOrThrow({ where: { id: packed!.id } });

    const { pending, response } = await loginAssertion(user.username, authenticator, packed!.credential);
    const refusal = await rejectionOf(verifyWithKey(pending, response, TEST_REQUEST));
    expect(refusal).toMatchObject({ code: "model-blocked" });
    expect((refusal as Error).message).toContain(`Your org has blocked this security key model: ${SOFT_KEY_AAGUID}.`);
    expect((refusal as Error).message).toContain("You can still verify with another of your security keys.");
    expect(await sessionsOf(user.userId)).toBe(0);
    const after = await db().securityKey.findUniqueOrThrow({ where: { id: packed!.id } });
    expect([after.signCount, after.lastUsedAt, after.flaggedAt]).toEqual([before.signCount, before.lastUsedAt, null]);

    // The U2F key, a model the org did not block, still works.
    const other = await loginAssertion(user.username, authenticator, u2f!.credential);
    await expect(verifyWithKey(other.pending, other.response, TEST_REQUEST)).resolves.toBeDefined();
  });

  it("is not offered for re-authentication, and an assertion by it is refused anyway", async () => {
    const { org, user, authenticator, keys } = await userWithKeys([{ attestation: "packed" }, { attestation: "fido-u2f" }]);
    await setOrgSettings(org.orgId, { blockedAaguids: [SOFT_KEY_AAGUID] });
    const { ctx } = await signIn(user.userId);
    const step = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
    if (step.next !== "security-key") throw new Error("expected a key step");
    expect(step.options.allowCredentials?.map((c) => c.id)).toEqual([keys[1]!.credential.id]);
    const response = authenticator.assert(keys[0]!.credential, step.options.challenge);
    const refusal = await rejectionOf(reauthenticateWithKey(ctx, response));
    expect(refusal).toMatchObject({ code: "model-blocked" });
    expect((refusal as Error).message).toContain("You can still verify with another of your security keys.");
  });

  it("a model left off a later allow-list is refused by name", async () => {
    const { org, user, authenticator, keys } = await userWithKeys([{ attestation: "packed" }]);
    await setOrgSettings(org.orgId, { allowedAaguids: ["ee882879-721c-4913-9775-3dfcce97072a"] });
    const { pending, response } = await loginAssertion(user.username, authenticator, keys[0]!.credential);
    const refusal = await rejectionOf(verifyWithKey(pending, response, TEST_REQUEST));
    expect(refusal).toMatchObject({ code: "model-no-longer-allowed" });
    expect((refusal as Error).message).toContain(`Your org no longer allows this security key model: ${SOFT_KEY_AAGUID}.`);
  });

  it("a key that never proved its model keeps working under physical keys only, and stops once the org accepts only verified models", async () => {
    const { org, user, authenticator, keys } = await userWithKeys([{ attestation: "none" }], { authenticatorType: "SECURITY_KEYS_AND_PASSKEYS" });
    expect(await db().securityKey.findUniqueOrThrow({ where: { id: keys[0]!.id } })).toMatchObject({ modelProven: false, attestation: "none" });
    await setOrgSettings(org.orgId, { authenticatorType: "SECURITY_KEYS_ONLY" });
    const first = await loginAssertion(user.username, authenticator, keys[0]!.credential);
    await expect(verifyWithKey(first.pending, first.response, TEST_REQUEST)).resolves.toBeDefined();

    await setOrgSettings(org.orgId, { requireVerifiedModels: true });
    const { pending, response } = await loginAssertion(user.username, authenticator, keys[0]!.credential);
    const refusal = await rejectionOf(verifyWithKey(pending, response, TEST_REQUEST));
    expect(refusal).toMatchObject({ code: "model-no-longer-allowed" });
    expect((refusal as Error).message).toContain("proved their model when they were registered");
  });
});

describe("what the assertion itself says", () => {
  it("a backup-eligibility flag that differs from registration is refused and the key flagged", async () => {
    const { user, authenticator, keys } = await userWithKeys([{ attestation: "packed" }]);
    const credential = { ...keys[0]!.credential, backupEligible: true };
    const { pending, response } = await loginAssertion(user.username, authenticator, credential);
    expect(await rejectionOf(verifyWithKey(pending, response, TEST_REQUEST))).toMatchObject({ code: "backup-eligibility-changed" });
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: keys[0]!.id } })).flaggedAt).toBeInstanceOf(Date);
    expect(await sessionsOf(user.userId)).toBe(0);
  });

  it("a userHandle that is not the user's is refused; the user's own handle is accepted", async () => {
    const { org, user, authenticator, keys } = await userWithKeys([{ attestation: "packed" }]);
    const other = await createUser(org.admin);
    const first = await loginAssertion(user.username, authenticator, keys[0]!.credential);
    first.response.response.userHandle = userHandleOf(other.userId);
    expect(await rejectionOf(verifyWithKey(first.pending, first.response, TEST_REQUEST))).toMatchObject({ code: "unknown-credential" });
    expect(await sessionsOf(user.userId)).toBe(0);

    const second = await loginAssertion(user.username, authenticator, keys[0]!.credential);
    second.response.response.userHandle = userHandleOf(user.userId);
    await expect(verifyWithKey(second.pending, second.response, TEST_REQUEST)).resolves.toBeDefined();
  });
});
