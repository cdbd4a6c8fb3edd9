import crypto from "node:crypto";
import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { describe, expect, it } from "vitest";
import { FreshAuthRequiredError, hasFreshAuth } from "@/lib/auth/freshness";
import { reauthenticateWithKey, reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { countUsersWhoseOnlyMethodIsSecurityKey } from "@/lib/policy/queries";
import { renameKeySchema } from "@/lib/validation/webauthn";
import { listOwnKeys, listUserKeys, removeOwnKey, renameOwnKey } from "@/lib/webauthn/keys";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import type { WebAuthnRefusal } from "@/lib/webauthn/refusal";
import { keySettingsOf } from "@/lib/webauthn/settings";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

useTestDatabase();

async function userWithKey() {
  const org = await createOrg("Managed");
  await setOrgSettings(org.orgId, {});
  const { userId } = await createUser(org.admin);
  const { ctx } = await signIn(userId);
  await reauthenticate(ctx);
  const { response, authenticator, credential: registered } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
  const settings = keySettingsOf(ctx.policy);
  const key = await finishKeyRegistration(await registering(ctx), response);
  return { org, ctx, key, settings, authenticator, registered };
}

describe("managing security keys", () => {
  it("lists, renames and removes the user's own key; removal emails the user and is in the history", async () => {
    const { ctx, key } = await userWithKey();
    await renameOwnKey(ctx, key.id, "Desk key");
    expect((await listOwnKeys(ctx)).map((k) => k.name)).toEqual(["Desk key"]);
    await removeOwnKey(await stepUp(ctx), key.id);
    expect(await listOwnKeys(ctx)).toEqual([]);
    const mail = await db().emailMessage.findFirstOrThrow({ where: { orgId: ctx.orgId, template: "security-key-removed" } });
    expect(mail.subject).toBe("A security key was removed from your Gatehouse account");
    expect(mail.text).toContain("Desk key");
    expect(await db().verificationEvent.count({ where: { userId: ctx.userId, activity: "Remove security key", result: "Succeeded" } })).toBe(1);
  });

  it("refuses removal after the re-authentication window, keeping the key", async () => {
    const { ctx, key, settings } = await userWithKey();
    const later = new Date(Date.now() + (settings.reauthWindowMinutes + 1) * 60_000);
    expect(await rejectionOf(stepUp(ctx, later).then((c) => removeOwnKey(c, key.id, later)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await db().securityKey.count({ where: { id: key.id } })).toBe(1);
  });

  it("answers not found to a user of another org, or another user of the same org, by key id", async () => {
    const { org, ctx, key } = await userWithKey();
    const stranger = await createOrg("Stranger");
    const colleague = await signIn((await createUser(org.admin)).userId, { fresh: true });
    // Both are fresh, so the step-up their entry point demands is not why they are refused.
    for (const other of [stranger.admin, colleague.ctx]) {
      expect(await rejectionOf(renameOwnKey(other, key.id, "Mine now"))).toBeInstanceOf(NotFoundError);
      expect(await rejectionOf(stepUp(other).then((c) => removeOwnKey(c, key.id)))).toBeInstanceOf(NotFoundError);
      expect((await listOwnKeys(other)).map((k) => k.id)).not.toContain(key.id);
    }
    expect(await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).toMatchObject({ name: key.name, userId: ctx.userId });
  });

  it("refuses names that are empty or longer than 64 characters", () => {
    const keyId = crypto.randomUUID();
    expect(renameKeySchema.safeParse({ keyId, name: "   " }).success).toBe(false);
    expect(renameKeySchema.safeParse({ keyId, name: "x".repeat(65) }).success).toBe(false);
    expect(renameKeySchema.safeParse({ keyId, name: "x".repeat(64) }).success).toBe(true);
  });
});

describe("re-authentication with a registered key", () => {
  async function passwordStep() {
    const setup = await userWithKey();
    // Start from a stale session: the registration's re-authentication has lapsed.
    await db().session.update({ where: { id: setup.ctx.sessionId }, data: { freshAuthAt: new Date(Date.now() - 3_600_000) } });
    const step = await reauthenticateWithPassword(setup.ctx, TEST_PASSWORD);
    if (step.next !== "security-key") throw new Error("expected the key step");
    return { ...setup, options: step.options };
  }

  it("asks for the user's own key after the password and becomes fresh only after it", async () => {
    const { ctx, authenticator, registered, options } = await passwordStep();
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([registered.id]);
    expect(await hasFreshAuth(ctx)).toBe(false);
    const assertion = authenticator.assert(registered, options.challenge);
    await reauthenticateWithKey(ctx, assertion);
    expect(await hasFreshAuth(ctx)).toBe(true);
  });

  it("refuses a replayed assertion and a cloned key's lower counter, flagging the key", async () => {
    const { ctx, authenticator, registered, options, key } = await passwordStep();
    const first = authenticator.assert(registered, options.challenge, { signCount: 5 });
    await reauthenticateWithKey(ctx, first);
    const replay = await rejectionOf(reauthenticateWithKey(ctx, first));
    expect((replay as WebAuthnRefusal).code).toBe("challenge-invalid");

    const again = await reauthenticateWithPassword(ctx, TEST_PASSWORD);
    if (again.next !== "security-key") throw new Error("expected the key step");
    const cloned: AuthenticationResponseJSON = authenticator.assert(registered, again.options.challenge, { signCount: 3 });
    const refusal = await rejectionOf(reauthenticateWithKey(ctx, cloned));
    expect((refusal as WebAuthnRefusal).code).toBe("counter-regression");
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).flaggedAt).not.toBeNull();
    expect(await db().verificationEvent.count({ where: { userId: ctx.userId, activity: "Re-authentication", result: "Failed" } })).toBe(2);
  });
});

describe("Session Settings' warning before turning keys off", () => {
  it("counts the org's active users whose only method is a security key", async () => {
    const { org, ctx } = await userWithKey();
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(org.admin)).toBe(1);
    // A second key (a flagged one too) still makes one user.
    const spare = crypto.randomBytes(16).toString("base64url");
    await db().securityKey.create({
      data: {
        orgId: org.orgId,
        userId: ctx.userId,
        credentialId: spare,
        publicKey: spare,
        transports: ["usb"],
        aaguid: "00000000-0000-0000-0000-000000000000",
        attestationFormat: "none",
        attestation: "none",
        name: "Spare",
        flaggedAt: new Date(),
      },
    });
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(org.admin)).toBe(1);
    const other = await createOrg("Elsewhere");
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(other.admin)).toBe(0);
    // An app being set up is not a method yet; a confirmed one is.
    const app = await db().authenticatorApp.create({ data: { orgId: org.orgId, userId: ctx.userId, secretSealed: "sealed" } });
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(org.admin)).toBe(1);
    await db().authenticatorApp.update({ where: { id: app.id }, data: { confirmedAt: new Date() } });
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(org.admin)).toBe(0);
    await db().authenticatorApp.delete({ where: { id: app.id } });
    await db().user.update({ where: { id: ctx.userId }, data: { isActive: false } });
    expect(await countUsersWhoseOnlyMethodIsSecurityKey(org.admin)).toBe(0);
  });
});

describe("an admin's view of a user's keys", () => {
  it("lists the user's keys for their org's admins only", async () => {
    const { org, ctx, key } = await userWithKey();
    expect((await listUserKeys(org.admin, ctx.userId)).map((k) => k.id)).toEqual([key.id]);
    const stranger = await createOrg("Snoop");
    expect(await listUserKeys(stranger.admin, ctx.userId)).toEqual([]);
  });
});
