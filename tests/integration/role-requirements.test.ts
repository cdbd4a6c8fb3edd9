import { beforeAll, describe, expect, it, vi } from "vitest";
import { resolveApiToken } from "@/lib/api-tokens/resolve";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import { DEFAULT_TOKEN_PERMISSIONS } from "@/lib/auth/permissions";
import { saveSessionSettingsAction } from "@/app/(app)/setup/session-settings/actions";
import { issueTemporaryCodeAction } from "@/app/(app)/setup/users/actions";
import { authorize, KEY_ENROLMENT_REQUIRED } from "@/lib/auth/context";
import { proveMailbox, stepUp } from "@/lib/auth/freshness";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { verificationChoices } from "@/lib/auth/login/verification-choices";
import { sendEmailCode, verifyWithEmailCode } from "@/lib/auth/login/verify-email-code";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { reauthenticateWithAuthenticator, reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import type { OrgContext } from "@/lib/auth/org-context";
import { db } from "@/lib/db/client";
import type { Role, RoleRequirement } from "@/lib/db/generated/enums";
import { STALE_SETTINGS } from "@/lib/policy/mutations";
import { sendRequirementReminders } from "@/lib/policy/requirement-reminders";
import { apiTokenCreatorMeetsRequirement, KEY_ONLY_AT_LOGIN, LAST_KEY_REFUSAL, roleRequirementWarnings } from "@/lib/policy/role-requirements";
import { policyFromRow } from "@/lib/policy/rules";
import { setUserRole } from "@/lib/users/mutations";
import { listUsers } from "@/lib/users/queries";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { removeOwnKey, removeUserKey } from "@/lib/webauthn/keys";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { proveMailbox as proveMailboxByEmail } from "../support/enrolment-proof";
import { TEST_PASSWORD, TEST_REQUEST, contextOf, createOrg, createUser, signIn } from "../support/factories";
import { actAs, formData } from "../support/next-request";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import type { SoftAuthenticator, SoftCredential } from "../support/soft-authenticator";
import { registering } from "../support/step-up";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

// Requirements by role (DESIGN.md section 14, issue 28), as an attacker and a
// locked-out admin would try them: from the date, a user whose role requires a
// key logs in with a key only (break-glass codes alert), without one can only
// register one, and nobody is locked out.

useTestDatabase();

const DAY = 86_400_000;
const utcDay = (offsetDays: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays));
};
const PAST = utcDay(-3);
const FUTURE = utcDay(10);

type Factor = "key" | "totp" | "nothing";

interface TestUser {
  userId: string;
  username: string;
  role: Role;
  factor: Factor;
  secret: Buffer | null;
  key: { credential: SoftCredential; authenticator: SoftAuthenticator; keyId: string } | null;
  recoveryCodes: string[];
}

// A clock for logins: each app code needs a time step of its own (a used step is never accepted again).
let clock = Date.now() - 40 * 60_000;
const tick = () => new Date((clock += 31_000));

/** A user of `role` with a key (and an app), only an app, or nothing; recovery codes for the first two. */
async function makeUser(admin: OrgContext & { role: "ADMIN" }, role: Role, factor: Factor): Promise<TestUser> {
  const user = await createUser(admin as never, role);
  const { ctx } = await signIn(user.userId);
  let secret: Buffer | null = null;
  let key: TestUser["key"] = null;
  let recoveryCodes: string[] = [];
  if (factor !== "nothing") {
    await reauthenticate(ctx);
    const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
    secret = base32Decode(enrolment.secret);
    const t0 = new Date(Date.now() - 50 * 60_000);
    await confirmAuthenticatorEnrolment(await proveMailbox(ctx), totpAt(secret, stepAt(t0)), t0);
    recoveryCodes = await generateRecoveryCodes(await stepUp(ctx));
  }
  if (factor === "key") {
    await reauthenticate(ctx);
    const { response, credential, authenticator } = await keyResponseFor(ctx, { attestation: "packed" });
    await finishKeyRegistration(await registering(ctx), response);
    const row = await db().securityKey.findFirstOrThrow({ where: { userId: user.userId } });
    key = { credential, authenticator, keyId: row.id };
  }
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { userId: user.userId, username: user.username, role, factor, secret, key, recoveryCodes };
}

async function requireByRole(orgId: string, rules: Partial<Record<Role, { requirement: RoleRequirement; from: Date | null }>>) {
  await db().orgSettings.update({
    where: { orgId },
    data: {
      adminRequirement: rules.ADMIN?.requirement ?? "ANY_METHOD",
      adminRequiredFrom: rules.ADMIN?.from ?? null,
      standardRequirement: rules.STANDARD?.requirement ?? "ANY_METHOD",
      standardRequiredFrom: rules.STANDARD?.from ?? null,
    },
  });
}

/** A login from a browser Gatehouse has not seen (device activation too), with the user's own factor; the session's context. */
async function logIn(user: TestUser, method: "key" | "app" | "email" | "recovery" | { temporary: string }) {
  const at = tick();
  const step = await authenticateWithPassword(user.username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie: null }, at);
  const pending = await requirePendingLogin(step.pendingToken, at);
  if (method === "key") {
    const { challenge } = await startKeyVerification(pending, at);
    await verifyWithKey(pending, user.key!.authenticator.assert(user.key!.credential, challenge), TEST_REQUEST, at);
  } else if (method === "app") {
    await verifyWithOneTimeCode(pending, "authenticator-app", totpAt(user.secret!, stepAt(at)), TEST_REQUEST, at);
  } else if (method === "email") {
    await sendEmailCode(pending, TEST_REQUEST, at);
    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "device-activation-code" }, orderBy: { createdAt: "desc" } });
    const code = /^\s*(\d{6})\s*$/m.exec(mail.text)![1]!;
    await verifyWithEmailCode(await requirePendingLogin(step.pendingToken, at), code, TEST_REQUEST, at);
  } else if (method === "recovery") {
    await verifyWithOneTimeCode(pending, "recovery-code", user.recoveryCodes.shift()!, TEST_REQUEST, at);
  } else {
    await verifyWithOneTimeCode(pending, "temporary-code", method.temporary, TEST_REQUEST, at);
  }
  const { sessionToken } = await completePendingLogin(step.pendingToken, TEST_REQUEST, at);
  return { token: sessionToken, ctx: await contextOf(sessionToken) };
}

/** What /verify offers this user now (a fresh pending login from an unknown browser). */
async function choicesOf(user: TestUser) {
  const at = tick();
  const step = await authenticateWithPassword(user.username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie: null }, at);
  const pending = await requirePendingLogin(step.pendingToken, at);
  return { pending, at, methods: (await verificationChoices(pending)).methods };
}

const restricted = (ctx: OrgContext) => {
  try {
    authorize(ctx, {});
    return false;
  } catch (error) {
    expect((error as Error).message).toBe(KEY_ENROLMENT_REQUIRED);
    return true;
  }
};

describe("role × requirement × before/after the date × has key / only an app / nothing", () => {
  let org: Awaited<ReturnType<typeof createOrg>>;
  const users: TestUser[] = [];

  beforeAll(async () => {
    org = await createOrg("Matrix");
    await setOrgSettings(org.orgId, {});
    for (const role of ["ADMIN", "STANDARD"] as const) {
      for (const factor of ["key", "totp", "nothing"] as const) users.push(await makeUser(org.admin as never, role, factor));
    }
  }, 240_000);

  const scenarios = [
    { name: "any method", requirement: "ANY_METHOD", from: null, inForce: false },
    { name: "security key only, before the date", requirement: "SECURITY_KEY", from: FUTURE, inForce: false },
    { name: "security key only, from a date past", requirement: "SECURITY_KEY", from: PAST, inForce: true },
  ] as const;

  for (const scenario of scenarios) {
    for (const role of ["ADMIN", "STANDARD"] as const) {
      it(`${scenario.name} for ${role}: login, device activation, re-authentication and Setup`, { timeout: 180_000 }, async () => {
        // Only this role gets the rule: the other role shows the rule is per role.
        await requireByRole(org.orgId, { [role]: { requirement: scenario.requirement, from: scenario.from } });
        for (const user of users) {
          const applies = user.role === role && scenario.inForce;
          const label = `${user.role} with ${user.factor}`;
          const { pending, at, methods } = await choicesOf(user);
          if (user.factor === "key") {
            // With an accepted key and the rule in force, the app is neither offered nor accepted; break-glass codes stay.
            expect(methods, label).toEqual(applies ? ["security-key", "recovery-code"] : ["security-key", "authenticator-app", "recovery-code"]);
            const appCode = verifyWithOneTimeCode(pending, "authenticator-app", totpAt(user.secret!, stepAt(at)), TEST_REQUEST, at);
            if (applies) expect((await rejectionOf(appCode)).message, label).toBe(KEY_ONLY_AT_LOGIN);
            else await appCode;
          } else if (user.factor === "totp") {
            expect(methods, label).toEqual(["authenticator-app", "recovery-code"]);
          } else {
            expect(methods, label).toEqual(["email-code"]);
          }

          const session = await logIn(user, user.factor === "key" ? "key" : user.factor === "totp" ? "app" : "email");
          const limited = applies && user.factor !== "key";
          expect(restricted(session.ctx), label).toBe(limited);
          expect(session.ctx.mfa.keyRequirement?.daysLeft ?? null, label).toBe(
            user.role === role && scenario.requirement === "SECURITY_KEY" && !scenario.inForce && user.factor !== "key" ? 10 : null,
          );

          // Re-authentication: a key when the user has one the policy accepts, else their app, else the password.
          const reauth = await reauthenticateWithPassword(session.ctx, TEST_PASSWORD);
          expect(reauth.next, label).toBe(user.factor === "key" ? "security-key" : user.factor === "totp" ? "authenticator-app" : "done");

          // A Setup action: refused until the key is registered; for a standard user, refused as ever.
          if (user.role === "ADMIN") {
            await actAs(session.token);
            // Hours out of range: a session let through is refused by the input, never by the rule, and nothing is issued.
            const result = await issueTemporaryCodeAction(formData({ userId: users[5]!.userId, hours: "99" }));
            if (limited) expect(result, label).toMatchObject({ ok: false, code: "mfa-enrolment-required" });
            else expect(result, label).not.toMatchObject({ code: "mfa-enrolment-required" });
          }
        }
      });
    }
  }

  it("a limited session registers a key only after verifying it's them and proving the mailbox, then reaches Setup", { timeout: 120_000 }, async () => {
    await requireByRole(org.orgId, { ADMIN: { requirement: "SECURITY_KEY", from: PAST } });
    const admin = users.find((u) => u.role === "ADMIN" && u.factor === "totp")!;
    const { token, ctx } = await logIn(admin, "app");
    expect(restricted(ctx)).toBe(true);
    // The mailbox first.
    expect(await rejectionOf(keyResponseFor(ctx))).toMatchObject({ code: "mailbox-proof-required" });
    await proveMailboxByEmail(ctx);
    // "Verify it's you" (open to the limited session): the password, then the app, as the user has no key.
    clock = Math.max(clock, Date.now() - 60_000);
    const at = tick();
    const step = await reauthenticateWithPassword(ctx, TEST_PASSWORD, at);
    if (step.next !== "authenticator-app") throw new Error(`expected the app step, got ${step.next}`);
    await reauthenticateWithAuthenticator(ctx, step.token, totpAt(admin.secret!, stepAt(at)), at);
    // Not an app instead of the key.
    expect((await rejectionOf(startAuthenticatorEnrolment(await registering(ctx)))).message).toMatch(/register a security key first/);
    const { response } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
    await finishKeyRegistration(await registering(ctx), response);
    const after = await contextOf(token);
    expect(restricted(after)).toBe(false);
    expect(authorize(after, { role: "ADMIN" }).role).toBe("ADMIN");
  });
});

describe("break-glass, removing keys, promotion and API tokens", () => {
  it("a recovery code and an admin's temporary code still log in, and each use emails the user and the admins", { timeout: 180_000 }, async () => {
    const org = await createOrg("Glass");
    await setOrgSettings(org.orgId, {});
    const secondAdmin = await makeUser(org.admin as never, "ADMIN", "nothing");
    const user = await makeUser(org.admin as never, "ADMIN", "key");
    await requireByRole(org.orgId, { ADMIN: { requirement: "SECURITY_KEY", from: PAST } });

    await logIn(user, "recovery");
    expect(await db().emailMessage.count({ where: { to: user.username, template: "role-requirement-break-glass" } })).toBe(1);
    const alerts = await db().emailMessage.findMany({ where: { template: "role-requirement-break-glass-admin" }, select: { to: true, text: true } });
    expect(alerts.map((a) => a.to).sort()).toEqual([org.admin.username, secondAdmin.username].sort());
    expect(alerts[0]!.text).toContain("recovery code");

    const { code } = await issueTemporaryCode(await stepUp(org.admin), user.userId, 1);
    await logIn(user, { temporary: code });
    expect(await db().emailMessage.count({ where: { to: user.username, template: "role-requirement-break-glass" } })).toBe(2);
    expect(await db().emailMessage.count({ where: { template: "role-requirement-break-glass-admin" } })).toBe(4);

    // Before the date a recovery code is just a recovery code.
    await requireByRole(org.orgId, { ADMIN: { requirement: "SECURITY_KEY", from: FUTURE } });
    await logIn(user, "recovery");
    expect(await db().emailMessage.count({ where: { to: user.username, template: "role-requirement-break-glass" } })).toBe(2);
  });

  it(
    "the user can't remove their own last accepted key; an admin can remove a lost one, and the user is then limited to registering one",
    { timeout: 120_000 },
    async () => {
      const org = await createOrg("LastKey");
      await setOrgSettings(org.orgId, {});
      const user = await makeUser(org.admin as never, "STANDARD", "key");
      await requireByRole(org.orgId, { STANDARD: { requirement: "SECURITY_KEY", from: null } });
      const { ctx } = await signIn(user.userId, { fresh: true });
      expect((await rejectionOf(removeOwnKey(await stepUp(ctx), user.key!.keyId))).message).toBe(LAST_KEY_REFUSAL);
      expect(await db().securityKey.count({ where: { userId: user.userId } })).toBe(1);

      await removeUserKey(await stepUp(org.admin), user.userId, user.key!.keyId, "Reported lost");
      expect(await db().securityKey.count({ where: { userId: user.userId } })).toBe(0);
      expect(restricted(await contextOf((await signIn(user.userId)).token))).toBe(true);
      expect(await apiTokenCreatorMeetsRequirement({ userId: user.userId, orgId: org.orgId })).toBe(false);
    },
  );

  it('a synced passkey does not count under "Physical security keys only"; it does when passkeys are allowed', { timeout: 120_000 }, async () => {
    const org = await createOrg("Passkey");
    await setOrgSettings(org.orgId, {});
    const user = await makeUser(org.admin as never, "STANDARD", "key");
    await db().securityKey.updateMany({ where: { userId: user.userId }, data: { backupEligible: true } });
    await requireByRole(org.orgId, { STANDARD: { requirement: "SECURITY_KEY", from: PAST } });
    expect((await signIn(user.userId)).ctx.mfa.keyRequirement).toMatchObject({ inForce: true, met: false, due: true });
    await setOrgSettings(org.orgId, { authenticatorType: "SECURITY_KEYS_AND_PASSKEYS" });
    expect((await signIn(user.userId)).ctx.mfa.keyRequirement).toMatchObject({ met: true, due: false });
    // A flagged key ("possible cloned key") never counts.
    await db().securityKey.updateMany({ where: { userId: user.userId }, data: { flaggedAt: new Date() } });
    expect((await signIn(user.userId)).ctx.mfa.keyRequirement).toMatchObject({ met: false, due: true });
  });

  it("promoting a user to Admin applies the admins' rule at their next request; an API token's creator must meet it too", { timeout: 120_000 }, async () => {
    const org = await createOrg("Promote");
    await setOrgSettings(org.orgId, {});
    const user = await makeUser(org.admin as never, "STANDARD", "totp");
    await requireByRole(org.orgId, { ADMIN: { requirement: "SECURITY_KEY", from: PAST } });
    const { token, ctx } = await signIn(user.userId);
    expect(restricted(ctx)).toBe(false);
    expect(await apiTokenCreatorMeetsRequirement({ userId: user.userId, orgId: org.orgId })).toBe(true);
    await setUserRole(await stepUp(org.admin), user.userId, "ADMIN");
    expect(restricted(await contextOf(token))).toBe(true);
    expect(await apiTokenCreatorMeetsRequirement({ userId: user.userId, orgId: org.orgId })).toBe(false);

    // The Admin API: a token its creator made works only while they meet their role's requirement.
    const minted = await mintApiToken({
      orgId: org.orgId,
      name: "deploy",
      scopes: DEFAULT_TOKEN_PERMISSIONS,
      expiresAt: new Date(Date.now() + 30 * DAY),
      createdBy: { id: user.userId, name: "Promoted" },
    });
    const request = () => new Request("http://localhost/api/v1/session-settings", { headers: { authorization: `Bearer ${minted.secret}` } });
    expect(await rejectionOf(resolveApiToken(request()))).toMatchObject({ reason: "creator-requirement-unmet" });
    await requireByRole(org.orgId, { ADMIN: { requirement: "SECURITY_KEY", from: FUTURE } });
    expect((await resolveApiToken(request())).orgId).toBe(org.orgId);
  });
});

describe("saving requirements by role", () => {
  /** The form as the page posts it, keys on. */
  const form = (version: number, overrides: Record<string, string | undefined> = {}) =>
    formData({
      version: String(version),
      allowSecurityKeys: "on",
      allowTotp: "on",
      requireDeviceActivation: "on",
      mfaRequiredFrom: "",
      reauthWindowMinutes: "10",
      userVerification: "DISCOURAGED",
      authenticatorType: "SECURITY_KEYS_ONLY",
      allowedAaguids: "",
      blockedAaguids: "",
      adminRequirement: "ANY_METHOD",
      adminRequiredFrom: "",
      standardRequirement: "ANY_METHOD",
      standardRequiredFrom: "",
      sessionTimeoutMinutes: "120",
      ...overrides,
    });

  it("a date in the past is allowed, the preview names who has no key and says it applies now, and each change is audited", { timeout: 120_000 }, async () => {
    const org = await createOrg("PastDate");
    const ada = await makeUser(org.admin as never, "ADMIN", "totp");
    await db().user.update({ where: { id: ada.userId }, data: { name: "Ada Lovelace" } });
    const current = policyFromRow(null);
    const next = { ...current, allowSecurityKeys: true, adminRequirement: "SECURITY_KEY" as const, adminRequiredFrom: new Date("2020-01-01T00:00:00Z") };
    const warnings = await roleRequirementWarnings(org.admin, current, next);
    expect(warnings.map((w) => w.code)).toEqual(["role-requirement-not-met", "role-requirement-applies-now"]);
    expect(warnings[0]!.message).toMatch(/^2 admins have no security key: .*Ada Lovelace/);
    expect(warnings[1]!.message).toBe(
      "Admins must use a security key at once (2020-01-01 is today or past). Those without one can only register a key until they do.",
    );

    await actAs(org.adminToken);
    await db().session.updateMany({ where: { userId: org.admin.userId }, data: { freshAuthAt: new Date() } });
    const saved = await saveSessionSettingsAction(form(0, { adminRequirement: "SECURITY_KEY", adminRequiredFrom: "2020-01-01" }));
    // Saved; the admin who saved has no key and must register one now (not locked out: the enrolment page is theirs).
    expect(saved).toMatchObject({ ok: true, data: { version: 1, enrolmentDue: true } });
    const audit = await db().auditEvent.findMany({ where: { orgId: org.orgId, field: { startsWith: "Admin:" } }, orderBy: { field: "asc" } });
    expect(audit.map((a) => [a.field, a.oldValue, a.newValue])).toEqual([
      ["Admin: required from", "None", expect.stringContaining("2020")],
      ["Admin: required verification", "Any method the org allows", "Security key only"],
    ]);
  });

  it(
    "the preview names the first five without a key and counts the rest; a flagged key does not count, an accepted one does",
    { timeout: 120_000 },
    async () => {
      const org = await createOrg("ManyAdmins");
      await setOrgSettings(org.orgId, {});
      for (let i = 0; i < 6; i++) await createUser(org.admin as never, "ADMIN");
      const withKey = await makeUser(org.admin as never, "ADMIN", "key");
      const flagged = await makeUser(org.admin as never, "ADMIN", "key");
      await db().securityKey.update({ where: { id: flagged.key!.keyId }, data: { flaggedAt: new Date() } });
      const current = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: org.orgId } }));
      const next = { ...current, adminRequirement: "SECURITY_KEY" as const, adminRequiredFrom: new Date(Date.now() + 30 * 86_400_000) };
      const warnings = await roleRequirementWarnings(org.admin, current, next);
      // The org's first admin, the six without a key and the one whose only key is flagged: eight; the key holder is not named.
      expect(warnings.map((w) => w.code)).toEqual(["role-requirement-not-met"]);
      expect(warnings[0]!.message).toMatch(/^8 admins have no security key: ([^,]+, ){4}[^,]+ and 3 more\.$/);
      const keyHolder = await db().user.findUniqueOrThrow({ where: { id: withKey.userId } });
      expect(warnings[0]!.message).not.toContain(keyHolder.name);
      // The keyless and the flagged are named together, the first five in the database's name order.
      const firstFive = await db().user.findMany({
        where: { orgId: org.orgId, role: "ADMIN", id: { not: withKey.userId } },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        take: 5,
      });
      expect(warnings[0]!.message).toContain(`: ${firstFive.map((u) => u.name).join(", ")} and 3 more.`);
    },
  );

  it('refuses an unknown role, an unknown requirement and "Security key only" while keys are off, writing nothing', { timeout: 120_000 }, async () => {
    const org = await createOrg("BadInput");
    await actAs(org.adminToken);
    await db().session.updateMany({ where: { userId: org.admin.userId }, data: { freshAuthAt: new Date() } });
    expect(await saveSessionSettingsAction(form(0, { ownerRequirement: "SECURITY_KEY" }))).toMatchObject({
      ok: false,
      fieldErrors: { ownerRequirement: expect.stringContaining("no role") },
    });
    expect(await saveSessionSettingsAction(form(0, { adminRequirement: "HARDWARE_KEY" }))).toMatchObject({
      ok: false,
      fieldErrors: { adminRequirement: expect.any(String) },
    });
    expect(await saveSessionSettingsAction(form(0, { allowSecurityKeys: undefined, standardRequirement: "SECURITY_KEY" }))).toMatchObject({
      ok: false,
      fieldErrors: { standardRequirement: expect.stringContaining("needs security keys") },
    });
    expect(await saveSessionSettingsAction(form(0, { adminRequiredFrom: "2026-02-30" }))).toMatchObject({
      ok: false,
      fieldErrors: { adminRequiredFrom: expect.any(String) },
    });
    expect(await db().orgSettings.findUnique({ where: { orgId: org.orgId } })).toBeNull();
  });

  it('a second admin saving in between: "Someone else changed these settings"', { timeout: 120_000 }, async () => {
    const org = await createOrg("Concurrent");
    const second = await createUser(org.admin, "ADMIN");
    const secondSession = await signIn(second.userId, { fresh: true });
    await actAs(secondSession.token);
    expect(await saveSessionSettingsAction(form(0, { standardRequirement: "SECURITY_KEY", standardRequiredFrom: "2031-01-01" }))).toMatchObject({ ok: true });
    await actAs(org.adminToken);
    await db().session.updateMany({ where: { userId: org.admin.userId }, data: { freshAuthAt: new Date() } });
    expect(await saveSessionSettingsAction(form(0, { adminRequirement: "SECURITY_KEY" }))).toEqual({ ok: false, error: STALE_SETTINGS });
    expect((await db().orgSettings.findUniqueOrThrow({ where: { orgId: org.orgId } })).adminRequirement).toBe("ANY_METHOD");
  });
});

describe("before the date: reminders and Setup → Users", () => {
  it("reminds each user without a key once a week before and once the day before; lists them in Setup → Users", { timeout: 180_000 }, async () => {
    const org = await createOrg("Remind");
    await setOrgSettings(org.orgId, {});
    const withKey = await makeUser(org.admin as never, "STANDARD", "key");
    const withApp = await makeUser(org.admin as never, "STANDARD", "totp");
    const from = utcDay(5);
    await requireByRole(org.orgId, { STANDARD: { requirement: "SECURITY_KEY", from } });
    const now = new Date();
    const reminders = () => db().emailMessage.findMany({ where: { orgId: org.orgId, template: "role-requirement-reminder" }, select: { to: true } });
    // The sweep covers every org (other tests' orgs too): count this org's reminders.
    const ofThisOrg = () => db().requirementReminder.count({ where: { orgId: org.orgId } });
    await sendRequirementReminders(now);
    expect((await reminders()).map((r) => r.to)).toEqual([withApp.username]);
    await sendRequirementReminders(now);
    await sendRequirementReminders(new Date(from.getTime() - 2 * DAY));
    expect(await ofThisOrg()).toBe(1);
    await sendRequirementReminders(new Date(from.getTime() - 12 * 3_600_000));
    await sendRequirementReminders(new Date(from.getTime() - 6 * 3_600_000));
    expect(await ofThisOrg()).toBe(2);
    expect((await reminders()).filter((r) => r.to === withApp.username)).toHaveLength(2);
    expect(await db().requirementReminder.count({ where: { userId: withApp.userId } })).toBe(2);
    expect(await db().requirementReminder.count({ where: { userId: withKey.userId } })).toBe(0);

    const listed = await listUsers(org.admin, { q: "", page: 1, method: "role-requirement" });
    expect(listed.users.map((u) => u.id)).toEqual([withApp.userId]);
    expect((await signIn(withApp.userId)).ctx.mfa.keyRequirement).toMatchObject({ inForce: false, met: false, daysLeft: 5 });
  });
});
