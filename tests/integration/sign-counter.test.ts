import { describe, expect, it } from "vitest";
import { registering } from "../support/step-up";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { LoginExpiredError, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { writeKeyUse } from "@/lib/webauthn/assertion";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import type { SoftAuthenticator, SoftCredential } from "../support/soft-authenticator";

// The sign counter is written by compare-and-set: a key's stored counter only
// ever moves forward (0 → 0 allowed, for keys without a counter), so two
// assertions carrying the same counter (a cloned key racing the real one)
// cannot both pass, and a login that did not verify never moves it.

useTestDatabase();

async function userWithKey() {
  const org = await createOrg("Counter");
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const { response, authenticator, credential } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
  const key = await finishKeyRegistration(await registering(ctx), response);
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { org, user, key, authenticator, credential, ctx };
}

async function pendingLogin(username: string, deviceCookie: string | null) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie });
  return requirePendingLogin(step.pendingToken);
}

async function assertion(pending: Awaited<ReturnType<typeof pendingLogin>>, authenticator: SoftAuthenticator, credential: SoftCredential, signCount: number) {
  const { challenge } = await startKeyVerification(pending);
  return authenticator.assert(credential, challenge, { signCount });
}

const storedCounter = async (keyId: string) => (await db().securityKey.findUniqueOrThrow({ where: { id: keyId } })).signCount;
const flagged = async (keyId: string) => (await db().securityKey.findUniqueOrThrow({ where: { id: keyId } })).flaggedAt !== null;

describe("the sign counter is compare-and-set", () => {
  it("a cloned key racing the real one with the same counter: one login verifies, the other is refused and the key flagged", async () => {
    const { user, key, authenticator, credential } = await userWithKey();
    const device = await activatedDeviceCookie(user.username);
    const real = await pendingLogin(user.username, device);
    const clone = await pendingLogin(user.username, device);
    // Both copies of the key hold counter 7 and answer with 8; both read the stored counter before either writes.
    const [a, b] = [await assertion(real, authenticator, credential, 8), await assertion(clone, authenticator, credential, 8)];
    const outcomes = await Promise.allSettled([verifyWithKey(real, a, TEST_REQUEST), verifyWithKey(clone, b, TEST_REQUEST)]);

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "counter-regression" });
    expect(await flagged(key.id)).toBe(true);
    expect(await storedCounter(key.id)).toBe(8n);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "security-key-possibly-cloned" } })).toBe(1);
  });

  it("the key step does not move the counter when the pending login no longer matches", async () => {
    const { user, key, authenticator, credential } = await userWithKey();
    const device = await activatedDeviceCookie(user.username);
    const pending = await pendingLogin(user.username, device);
    const answer = await assertion(pending, authenticator, credential, 50);
    await db().pendingLogin.update({ where: { id: pending.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect(await rejectionOf(verifyWithKey(pending, answer, TEST_REQUEST))).toBeInstanceOf(LoginExpiredError);
    expect(await storedCounter(key.id)).toBe(0n);
    expect(await flagged(key.id)).toBe(false);
  });

  it("nor does the key step that also activates a new browser", async () => {
    const { user, key, authenticator, credential } = await userWithKey();
    const pending = await pendingLogin(user.username, null);
    expect(pending.needsDeviceActivation).toBe(true);
    const answer = await assertion(pending, authenticator, credential, 50);
    await db().pendingLogin.update({ where: { id: pending.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect(await rejectionOf(verifyWithKey(pending, answer, TEST_REQUEST))).toBeInstanceOf(LoginExpiredError);
    expect(await storedCounter(key.id)).toBe(0n);
  });

  it("writes a counter only forward (0 after 0 allowed): a write that would not move it forward changes nothing", async () => {
    const { key, ctx } = await userWithKey();
    const now = new Date();
    expect(await writeKeyUse(ctx, key.id, 0, now)).toBe(true);
    expect(await writeKeyUse(ctx, key.id, 10, now)).toBe(true);
    expect(await writeKeyUse(ctx, key.id, 10, now)).toBe(false);
    expect(await writeKeyUse(ctx, key.id, 3, now)).toBe(false);
    expect(await writeKeyUse(ctx, key.id, 0, now)).toBe(false);
    expect(await storedCounter(key.id)).toBe(10n);
  });
});
