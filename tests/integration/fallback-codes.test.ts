import { describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { issueTemporaryCodeAction, removeUserKeyAction, setUserRoleAction } from "@/app/(app)/setup/users/actions";
import { generateRecoveryCodesAction } from "@/app/(app)/settings/advanced/actions";
import { FreshAuthRequiredError, hasFreshAuth } from "@/lib/auth/freshness";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verificationChoices } from "@/lib/auth/login/verification-choices";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { NotFoundError, RateLimitedError } from "@/lib/errors";
import { adoptionSummary, listUsers, methodAdoption, type MethodFilter } from "@/lib/users/queries";
import { normaliseCode } from "@/lib/verification/codes";
import { consumeRecoveryCode, countRecoveryCodesLeft, generateRecoveryCodes, RECOVERY_CODE_COUNT } from "@/lib/verification/recovery-codes";
import { issueTemporaryCode, TEMPORARY_CODE_LIMIT } from "@/lib/verification/temporary-codes";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, contextOf, createOrg, createUser, signIn } from "../support/factories";
import { actAs, isForbiddenSignal } from "../support/next-request";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

/** A user with one key and a fresh set of recovery codes; no sessions left. */
async function userWithKeyAndCodes(orgName = "Fallback") {
  const org = await createOrg(orgName);
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const { response } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
  const key = await finishKeyRegistration(await registering(ctx), response);
  const codes = await generateRecoveryCodes(await stepUp(ctx));
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { org, user, ctx, key, codes };
}

async function pendingFor(username: string) {
  const step = await authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST);
  return { step, pending: await requirePendingLogin(step.pendingToken) };
}

describe("recovery codes", () => {
  it("are 10 distinct codes of 60 bits, stored only hashed, and need re-authentication; regenerating voids the old set and emails the user", async () => {
    const { org, user, ctx, codes } = await userWithKeyAndCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    expect(codes.every((c) => /^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/.test(c))).toBe(true);
    const stored = JSON.stringify(await db().recoveryCode.findMany({ where: { userId: user.userId } }));
    expect(codes.some((c) => stored.includes(c) || stored.includes(normaliseCode(c)))).toBe(false);

    // Outside the re-authentication window nothing is generated.
    const later = new Date(Date.now() + 11 * 60_000);
    expect(await rejectionOf(stepUp(ctx, later).then((c) => generateRecoveryCodes(c, later)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await countRecoveryCodesLeft(ctx)).toBe(RECOVERY_CODE_COUNT);

    const again = await signIn(user.userId);
    await markFresh(again.ctx);
    const fresh = await generateRecoveryCodes(await stepUp(again.ctx));
    const { pending } = await pendingFor(user.username);
    expect(await consumeRecoveryCode(pending, codes[0]!)).toBe(false);
    expect(await consumeRecoveryCode(pending, fresh[0]!.toUpperCase().replace(/-/g, " "))).toBe(true);
    expect(await countRecoveryCodesLeft(ctx)).toBe(RECOVERY_CODE_COUNT - 1);
    expect(await db().emailMessage.count({ where: { orgId: org.orgId, to: user.username, template: "recovery-codes-generated" } })).toBe(2);
  });

  it("a code used twice is refused the second time; two concurrent uses admit exactly one", async () => {
    const { user, codes } = await userWithKeyAndCodes();
    const { pending } = await pendingFor(user.username);
    expect(await consumeRecoveryCode(pending, codes[1]!)).toBe(true);
    expect(await consumeRecoveryCode(pending, codes[1]!)).toBe(false);
    const results = await Promise.all(Array.from({ length: 6 }, () => consumeRecoveryCode(pending, codes[2]!)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("logs in without the key: satisfies the second factor and device activation, and counts as fresh re-authentication", async () => {
    const { user, codes } = await userWithKeyAndCodes();
    const { step, pending } = await pendingFor(user.username);
    expect(step.needs).toEqual({ secondFactor: true, deviceActivation: true });
    expect((await verificationChoices(pending)).methods).toEqual(["security-key", "recovery-code"]);

    const wrong = await rejectionOf(verifyWithOneTimeCode(pending, "recovery-code", "0000-0000-0000", TEST_REQUEST));
    expect(wrong).toMatchObject({ fieldErrors: { code: "That recovery code isn't right or was already used." } });
    const { deviceToken } = await verifyWithOneTimeCode(await requirePendingLogin(step.pendingToken), "recovery-code", codes[3]!, TEST_REQUEST);
    expect(deviceToken).toBeTruthy();
    const { sessionToken } = await completePendingLogin(step.pendingToken, TEST_REQUEST);
    // So the user can register a replacement key without the key they lost.
    expect(await hasFreshAuth(await contextOf(sessionToken))).toBe(true);
    expect(await db().verificationEvent.count({ where: { userId: user.userId, method: "Recovery code", activity: "Login", result: "Succeeded" } })).toBe(1);

    // The same code does not open a second login.
    const again = await pendingFor(user.username);
    expect(await rejectionOf(verifyWithOneTimeCode(again.pending, "recovery-code", codes[3]!, TEST_REQUEST))).toMatchObject({ status: 400 });
  });
});

/** Test setup: the session re-authenticated just now (the ceremony itself is tested in security-key-management). */
async function markFresh(ctx: Parameters<typeof hasFreshAuth>[0]) {
  await db().session.updateMany({ where: { id: ctx.sessionId }, data: { freshAuthAt: new Date() } });
}

describe("temporary verification codes", () => {
  async function setup() {
    const org = await createOrg("Temp");
    const user = await createUser(org.admin);
    const colleague = await createUser(org.admin);
    await reauthenticate(org.admin);
    return { org, user, colleague };
  }

  it("are usable once, only by their user, only before they expire; issuing is audited and emails the user", async () => {
    const { org, user, colleague } = await setup();
    const { code, expiresAt } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 2);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Issued temporary verification code", targetId: user.userId } })).toBe(1);
    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "temporary-code-issued" } });
    expect(mail.text).not.toContain(code);

    // Another user of the org cannot use it.
    const other = await pendingFor(colleague.username);
    expect(await rejectionOf(verifyWithOneTimeCode(other.pending, "temporary-code", code, TEST_REQUEST))).toMatchObject({ status: 400 });

    // After expiry it is refused; before, it works exactly once.
    const late = await pendingFor(user.username);
    const afterExpiry = new Date(expiresAt.getTime() + 1000);
    expect(await rejectionOf(verifyWithOneTimeCode(late.pending, "temporary-code", code, TEST_REQUEST, afterExpiry))).toMatchObject({ status: 400 });
    const first = await pendingFor(user.username);
    expect((await verificationChoices(first.pending)).methods).toContain("temporary-code");
    await verifyWithOneTimeCode(first.pending, "temporary-code", code, TEST_REQUEST);
    await completePendingLogin(first.step.pendingToken, TEST_REQUEST);
    const second = await pendingFor(user.username);
    expect(await rejectionOf(verifyWithOneTimeCode(second.pending, "temporary-code", code, TEST_REQUEST))).toMatchObject({ status: 400 });
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(1);
  });

  it(`needs the admin's fresh re-authentication, a validity of 1–24 h, and at most ${TEMPORARY_CODE_LIMIT.limit} an hour per user`, async () => {
    const { org, user } = await setup();
    const later = new Date(Date.now() + 11 * 60_000);
    expect(await rejectionOf(stepUp(org.admin, later).then((c) => issueTemporaryCode(c, user.userId, 4, later)))).toBeInstanceOf(FreshAuthRequiredError);
    for (const hours of [0, 25, 1.5]) {
      expect(await rejectionOf(stepUp(org.admin).then((c) => issueTemporaryCode(c, user.userId, hours)))).toMatchObject({
        fieldErrors: { hours: "Choose 1 to 24 hours." },
      });
    }
    for (let i = 0; i < TEMPORARY_CODE_LIMIT.limit; i++) await issueTemporaryCode(await stepUp(org.admin), user.userId, 1);
    expect(await rejectionOf(stepUp(org.admin).then((c) => issueTemporaryCode(c, user.userId, 1)))).toBeInstanceOf(RateLimitedError);
    // A new code replaces the unused one.
    expect(await db().temporaryCode.count({ where: { userId: user.userId, usedAt: null } })).toBe(1);
  });
});

describe("admin actions on a user's methods", () => {
  it("an admin removes a user's key with a reason: audited, the user emailed; Globex's admin gets not found, a standard user 403", async () => {
    const { org, user, key } = await userWithKeyAndCodes("Acme");
    const globex = await createOrg("Globex");
    const standard = await signIn((await createUser(org.admin)).userId);

    await actAs(globex.adminToken);
    expect(await removeUserKeyAction({ userId: user.userId, keyId: key.id, reason: "Lost" })).toMatchObject({
      ok: false,
      error: "That security key was not found.",
    });
    expect(await issueTemporaryCodeAction({ userId: user.userId, hours: 2 })).toMatchObject({ ok: false });
    await actAs(standard.token);
    await expect(removeUserKeyAction({ userId: user.userId, keyId: key.id, reason: "Lost" })).rejects.toSatisfy(isForbiddenSignal);
    await expect(issueTemporaryCodeAction({ userId: user.userId, hours: 2 })).rejects.toSatisfy(isForbiddenSignal);
    expect(await db().securityKey.count({ where: { id: key.id } })).toBe(1);
    expect(await db().temporaryCode.count({ where: { userId: user.userId } })).toBe(0);

    await actAs(org.adminToken);
    expect(await removeUserKeyAction({ userId: user.userId, keyId: key.id, reason: "" })).toMatchObject({
      ok: false,
      fieldErrors: { reason: "Give a reason." },
    });
    expect(await removeUserKeyAction({ userId: user.userId, keyId: key.id, reason: "Reported lost" })).toEqual({ ok: true, data: undefined });
    expect(await db().securityKey.count({ where: { id: key.id } })).toBe(0);
    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "security-key-removed-by-admin" } });
    expect(mail.text).toContain("Reported lost");
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Removed security key", targetId: user.userId } })).toBe(1);
  });

  it("a standard user cannot generate codes for someone else: the action only ever acts on the caller", async () => {
    const org = await createOrg("Own");
    const user = await createUser(org.admin);
    const session = await signIn(user.userId);
    await actAs(session.token);
    expect(await generateRecoveryCodesAction({ userId: org.adminId })).toMatchObject({ ok: false, code: "fresh-auth-required" });
    expect(await db().recoveryCode.count({ where: { orgId: org.orgId } })).toBe(0);
    expect(await rejectionOf(createOrg("Else").then(async (other) => issueTemporaryCode(await stepUp(org.admin), other.adminId, 2)))).toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe("Setup → Users by verification method", () => {
  it("filters users by method and counts key adoption, within the org only", async () => {
    const { org, user } = await userWithKeyAndCodes("Adoption");
    const plain = await createUser(org.admin);
    await userWithKeyAndCodes("Elsewhere");
    const ids = async (method?: MethodFilter) => (await listUsers(org.admin, { q: "", page: 1, method })).users.map((u) => u.id).sort();
    expect(await ids("security-key")).toEqual([user.userId]);
    expect(await ids("recovery-codes")).toEqual([user.userId]);
    expect(await ids("none")).toEqual([org.adminId, plain.userId].sort());
    expect(await ids()).toHaveLength(3);
    expect(await ids("authenticator-app")).toEqual([]);
    expect(await methodAdoption(org.admin)).toMatchObject({ activeUsers: 3, withSecurityKey: 1, totalUsers: 3, keys: 1 });
  });

  it("counts users, active users, key and app adoption as the filters see them, flagged and inactive users included", async () => {
    const { org, user: withKey } = await userWithKeyAndCodes("Counts");
    const addKey = async (userId: string, attestation: "fido-u2f" | "none" = "fido-u2f") => {
      const { ctx } = await signIn(userId);
      await reauthenticate(ctx);
      return finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx, { attestation })).response);
    };
    const addApp = (userId: string, orgId: string, confirmed: boolean) =>
      db().authenticatorApp.create({ data: { userId, orgId, secretSealed: "sealed", confirmedAt: confirmed ? new Date() : null } });
    const flaggedOnly = await createUser(org.admin);
    const flaggedKey = await addKey(flaggedOnly.userId);
    await db().securityKey.update({ where: { id: flaggedKey.id }, data: { flaggedAt: new Date() } });
    const appOnly = await createUser(org.admin);
    await addApp(appOnly.userId, org.orgId, true);
    const appAndKey = await createUser(org.admin);
    await addKey(appAndKey.userId);
    await addApp(appAndKey.userId, org.orgId, true);
    const unconfirmedApp = await createUser(org.admin);
    await addApp(unconfirmedApp.userId, org.orgId, false);
    const inactiveWithKey = await createUser(org.admin);
    // Its key sent no attestation: registered under the defaults, its model only claimed.
    await addKey(inactiveWithKey.userId, "none");
    const inactiveWithApp = await createUser(org.admin);
    await addApp(inactiveWithApp.userId, org.orgId, true);
    await db().user.updateMany({ where: { id: { in: [inactiveWithKey.userId, inactiveWithApp.userId] } }, data: { isActive: false } });
    // Another org's users never count.
    const elsewhere = await userWithKeyAndCodes("Counts elsewhere");
    await addApp(elsewhere.user.userId, elsewhere.org.orgId, true);

    // admin, withKey, flaggedOnly, appOnly, appAndKey, unconfirmedApp active; two inactive.
    expect(await adoptionSummary(org.admin)).toEqual({ activeUsers: 6, withKey: 3, withAppOnly: 1, withNothing: 2, totalUsers: 8, keys: 4, claimedKeys: 1 });
    expect(await methodAdoption(org.admin)).toEqual({ activeUsers: 6, withSecurityKey: 3, totalUsers: 8, keys: 4, claimedKeys: 1 });
    const keyHolders = (await listUsers(org.admin, { q: "", page: 1, method: "security-key" })).users.map((u) => u.id);
    expect(keyHolders.sort()).toEqual([withKey.userId, flaggedOnly.userId, appAndKey.userId, inactiveWithKey.userId].sort());
    // The page passes the org's count for the unfiltered total; a search or a filter counts its own matches.
    const counted = methodAdoption(org.admin).then((a) => a.totalUsers);
    expect((await listUsers(org.admin, { q: "", page: 1 }, counted)).total).toBe(8);
    expect((await listUsers(org.admin, { q: "", page: 1 })).total).toBe(8);
    expect((await listUsers(org.admin, { q: "", page: 1, method: "authenticator-app" }, counted)).total).toBe(3);
    expect((await listUsers(org.admin, { q: appOnly.username, page: 1 }, counted)).total).toBe(1);
  });
});

describe("role change", () => {
  it("an admin changes another user's role, audited; not their own; another org's admin gets not found; a standard user 403", async () => {
    const org = await createOrg("Roles");
    const user = await createUser(org.admin);
    const globex = await createOrg("Globex");
    const standard = await signIn((await createUser(org.admin)).userId);

    await actAs(globex.adminToken);
    expect(await setUserRoleAction({ userId: user.userId, role: "ADMIN" })).toMatchObject({ ok: false, error: "That user was not found." });
    await actAs(standard.token);
    await expect(setUserRoleAction({ userId: user.userId, role: "ADMIN" })).rejects.toSatisfy(isForbiddenSignal);
    await actAs(org.adminToken);
    expect(await setUserRoleAction({ userId: user.userId, role: "OWNER" })).toMatchObject({ ok: false, fieldErrors: { role: expect.any(String) } });
    expect(await setUserRoleAction({ userId: org.adminId, role: "STANDARD" })).toMatchObject({
      ok: false,
      error: "You can't change your own role. Ask another admin.",
    });
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).role).toBe("STANDARD");

    expect(await setUserRoleAction({ userId: user.userId, role: "ADMIN" })).toEqual({ ok: true, data: undefined });
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).role).toBe("ADMIN");
    expect(await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Changed role", targetId: user.userId } })).toMatchObject({
      field: "Role",
      oldValue: "Standard",
      newValue: "Admin",
    });
  });
});
