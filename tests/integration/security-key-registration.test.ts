import { beforeAll, describe, expect, it } from "vitest";
import { registering } from "../support/step-up";
import { FreshAuthRequiredError } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { renameOwnKey } from "@/lib/webauthn/keys";
import { KEY_NAMING_GRACE_MS } from "@/lib/webauthn/notifications";
import { defaultKeyName, finishKeyRegistration, startKeyRegistration } from "@/lib/webauthn/registration";
import { WebAuthnRefusal } from "@/lib/webauthn/refusal";
import { keySettingsOf, type KeySettings } from "@/lib/webauthn/settings";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_REQUEST, createOrg, createUser, signIn, contextOf } from "../support/factories";
import { keyResponseFor, keyState, reauthenticate, setOrgSettings } from "../support/security-keys";
import { SOFT_KEY_AAGUID, ZERO_AAGUID } from "../support/soft-authenticator";

useTestDatabase();

async function newUser(settings: Parameters<typeof setOrgSettings>[1] = {}) {
  const org = await createOrg("Keys");
  await setOrgSettings(org.orgId, settings);
  const { userId } = await createUser(org.admin);
  const { ctx, token } = await signIn(userId);
  await reauthenticate(ctx);
  return { org, ctx, token };
}

/** Runs a registration step and expects a refusal with `code` that changed nothing. */
async function expectRefused(attempt: () => Promise<unknown>, code: string) {
  const before = await keyState();
  const error = await rejectionOf(attempt());
  expect(error).toBeInstanceOf(WebAuthnRefusal);
  expect((error as WebAuthnRefusal).code).toBe(code);
  expect(await keyState()).toEqual(before);
  return error as WebAuthnRefusal;
}

describe("registering a security key", () => {
  it("stores a U2F key (fido-u2f), queues the email and records the history, in one go", async () => {
    const { ctx } = await newUser();
    const { response } = await keyResponseFor(ctx, { attestation: "fido-u2f", transports: ["usb"] });
    const key = await finishKeyRegistration(await registering(ctx), response);
    expect(key).toMatchObject({ name: "Security key 1", model: null });
    const stored = await db().securityKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored).toMatchObject({ userId: ctx.userId, orgId: ctx.orgId, attestationFormat: "fido-u2f", aaguid: ZERO_AAGUID, transports: ["usb"] });
    const mail = await db().emailMessage.findFirstOrThrow({ where: { orgId: ctx.orgId, template: "security-key-registered" } });
    expect(mail.subject).toBe("A security key was registered to your Gatehouse account");
    expect(mail.text).toContain("Security key 1");
    expect(mail.text).toContain(TEST_REQUEST.ip);
    const history = await db().verificationEvent.findMany({ where: { userId: ctx.userId }, orderBy: { createdAt: "asc" } });
    expect(history.map((h) => `${h.activity}: ${h.result}`)).toEqual(["Re-authentication: Succeeded", "Register security key: Succeeded"]);
  });

  it("stores a FIDO2 key with packed attestation and names it after its model when known", async () => {
    const { ctx } = await newUser();
    const { response } = await keyResponseFor(ctx, { attestation: "packed", aaguid: SOFT_KEY_AAGUID });
    const key = await finishKeyRegistration(await registering(ctx), response);
    expect(key.name).toBe("Security key 1");
    expect(await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({ attestationFormat: "packed", attestation: "certificate" });
  });

  it("holds the email back until the key is named; the name the user chose reaches the email and the history", async () => {
    const { ctx } = await newUser();
    const { response } = await keyResponseFor(ctx);
    const before = Date.now();
    const key = await finishKeyRegistration(await registering(ctx), response);
    const held = await db().emailMessage.findFirstOrThrow({ where: { orgId: ctx.orgId, template: "security-key-registered" } });
    // Abandoned naming: it still goes out, with the default name, a few minutes later.
    expect(held.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + KEY_NAMING_GRACE_MS - 1000);
    await renameOwnKey(ctx, key.id, "Backup key (drawer)");
    const sent = await db().emailMessage.findUniqueOrThrow({ where: { id: held.id } });
    expect(sent.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(sent.text).toContain("Backup key (drawer)");
    expect(sent.text).not.toContain("Security key 1");
    const event = await db().verificationEvent.findFirstOrThrow({ where: { userId: ctx.userId, activity: "Register security key" } });
    expect(event.detail).toBe("Backup key (drawer)");
    // A later rename changes the key only: the history keeps what was registered, no second email.
    await renameOwnKey(ctx, key.id, "Desk key");
    expect((await db().verificationEvent.findUniqueOrThrow({ where: { id: event.id } })).detail).toBe("Backup key (drawer)");
    expect(await db().emailMessage.count({ where: { orgId: ctx.orgId, template: "security-key-registered" } })).toBe(1);
    expect((await db().emailMessage.findUniqueOrThrow({ where: { id: held.id } })).text).toContain("Backup key (drawer)");
  });

  it("a name given after the email left changes the key only", async () => {
    const { ctx } = await newUser();
    const { response } = await keyResponseFor(ctx);
    const key = await finishKeyRegistration(await registering(ctx), response);
    await db().emailMessage.updateMany({ where: { orgId: ctx.orgId, template: "security-key-registered" }, data: { state: "SENT", attempts: 1 } });
    await renameOwnKey(ctx, key.id, "Late name");
    const mail = await db().emailMessage.findFirstOrThrow({ where: { orgId: ctx.orgId, template: "security-key-registered" } });
    expect(mail.text).toContain("Security key 1");
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).name).toBe("Late name");
  });

  it("default names never repeat one of the user's keys", () => {
    expect(defaultKeyName(null, [])).toBe("Security key 1");
    expect(defaultKeyName(null, ["Security key 2"])).toBe("Security key 3");
    expect(defaultKeyName(null, ["Security key 1", "security key 3"])).toBe("Security key 4");
    expect(defaultKeyName("YubiKey 5", ["YubiKey 5"])).toBe("YubiKey 5 (2)");
    expect(defaultKeyName("YubiKey 5", [])).toBe("YubiKey 5");
  });

  it("offers the user's existing keys as excludeCredentials", async () => {
    const { ctx } = await newUser();
    const { response } = await keyResponseFor(ctx);
    await finishKeyRegistration(await registering(ctx), response);
    const options = await startKeyRegistration(await registering(ctx));
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([response.id]);
    expect(options.attestation).toBe("direct");
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
  });
});

describe("refused registrations change nothing", () => {
  let settings: KeySettings;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    user = await newUser();
    settings = keySettingsOf(user.ctx.policy);
  });

  it("a replayed challenge", async () => {
    const { response } = await keyResponseFor(user.ctx);
    await finishKeyRegistration(await registering(user.ctx), response);
    await expectRefused(async () => finishKeyRegistration(await registering(user.ctx), response), "challenge-invalid");
  });

  it("an expired challenge", async () => {
    const { response } = await keyResponseFor(user.ctx);
    await expectRefused(async () => finishKeyRegistration(await registering(user.ctx), response, new Date(Date.now() + 121_000)), "challenge-invalid");
  });

  it("a challenge issued to another user or another session", async () => {
    const { response } = await keyResponseFor(user.ctx);
    const otherSession = await signIn(user.ctx.userId);
    // This user already has a key, so re-authentication needs it: mark the session fresh as if done.
    await db().session.update({ where: { id: otherSession.ctx.sessionId }, data: { freshAuthAt: new Date() } });
    await expectRefused(async () => finishKeyRegistration(await registering(otherSession.ctx), response), "challenge-invalid");
    const other = await newUser();
    await expectRefused(async () => finishKeyRegistration(await registering(other.ctx), response), "challenge-invalid");
  });

  it("a wrong origin, a wrong RP ID and a tampered signature", async () => {
    for (const options of [{ origin: "https://evil.example" }, { rpId: "evil.example" }, { tamperSignature: true, attestation: "fido-u2f" as const }]) {
      const { response } = await keyResponseFor(user.ctx, options);
      await expectRefused(async () => finishKeyRegistration(await registering(user.ctx), response), "verification-failed");
    }
  });

  it("a credential that is already registered", async () => {
    const { response } = await keyResponseFor(user.ctx);
    await db().securityKey.create({
      data: {
        orgId: user.ctx.orgId,
        userId: user.ctx.userId,
        credentialId: response.id,
        publicKey: "AQ",
        transports: [],
        aaguid: ZERO_AAGUID,
        attestationFormat: "none",
        attestation: "none",
        name: "Existing",
      },
    });
    const error = await expectRefused(async () => finishKeyRegistration(await registering(user.ctx), response), "already-registered");
    expect(error.message).toBe("This security key is already registered");
  });

  it("user verification required but absent", async () => {
    const { ctx } = await newUser({ userVerification: "REQUIRED" });
    const { response } = await keyResponseFor(ctx, { userVerified: false });
    await expectRefused(async () => finishKeyRegistration(await registering(ctx), response), "user-verification-required");
  });

  it("a blocked model, a model not on the allow-list, and a self-attested key under an allow-list", async () => {
    const blocked = await newUser({ blockedAaguids: [SOFT_KEY_AAGUID] });
    const a = await keyResponseFor(blocked.ctx, { attestation: "packed" });
    await expectRefused(async () => finishKeyRegistration(await registering(blocked.ctx), a.response), "model-blocked");

    const allowOther = await newUser({ allowedAaguids: ["cb69481e-8ff7-4039-93ec-0a2729a154a8"] });
    const b = await keyResponseFor(allowOther.ctx, { attestation: "packed" });
    const refusal = await expectRefused(async () => finishKeyRegistration(await registering(allowOther.ctx), b.response), "model-not-allowed");
    expect(refusal.message).toContain(SOFT_KEY_AAGUID);

    const allowSoft = await newUser({ allowedAaguids: [SOFT_KEY_AAGUID] });
    const c = await keyResponseFor(allowSoft.ctx, { attestation: "packed-self" });
    await expectRefused(async () => finishKeyRegistration(await registering(allowSoft.ctx), c.response), "attestation-required");
  });

  it('a platform authenticator under "Physical security keys only"', async () => {
    const { response } = await keyResponseFor(user.ctx, { authenticatorAttachment: "platform", transports: ["internal"] });
    await expectRefused(async () => finishKeyRegistration(await registering(user.ctx), response), "platform-not-allowed");
  });

  it("an expired re-authentication, for options and for verify", async () => {
    const { response } = await keyResponseFor(user.ctx);
    const later = new Date(Date.now() + (settings.reauthWindowMinutes + 1) * 60_000);
    const before = await keyState();
    expect(await rejectionOf(registering(user.ctx, later).then((c) => finishKeyRegistration(c, response, later)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(registering(user.ctx, later).then((c) => startKeyRegistration(c, later)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await keyState()).toEqual(before);
  });

  it("the org turned keys off between options and verify (403)", async () => {
    const { ctx, org, token } = await newUser();
    const { response } = await keyResponseFor(ctx);
    await setOrgSettings(org.orgId, { allowSecurityKeys: false });
    // The verify request resolves its own context, with the policy as it is now.
    const next = await contextOf(token);
    const error = await expectRefused(async () => finishKeyRegistration(await registering(next), response), "keys-disabled");
    expect(error.status).toBe(403);
    expect(await rejectionOf(registering(next).then((c) => startKeyRegistration(c)))).toMatchObject({ code: "keys-disabled", status: 403 });
  });
});
