import { describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { saveSessionSettingsAction } from "@/app/(app)/setup/session-settings/actions";
import { SESSION_ENDED } from "@/lib/auth/action";
import { db } from "@/lib/db/client";
import { STALE_SETTINGS } from "@/lib/policy/mutations";
import { DEFAULT_POLICY } from "@/lib/policy/rules";
import { useTestDatabase } from "../support/database";
import { asAdmin, contextOf, createOrg, createUser, readOrgPolicy, signIn } from "../support/factories";
import { actAs, formData, isForbiddenSignal } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

const KEY_LABEL = "Let users verify their identity with a physical security key (U2F)";
const YUBIKEY_5 = "cb69481e-8ff7-4039-93ec-0a2729a154a8";
const SOLO = "8876631b-d4a0-427f-5773-0ec71c9e0279";

/** The form as the page posts it with the defaults loaded: ticked boxes are "on", unticked ones absent. */
function defaultForm(version: number, overrides: Record<string, string | undefined> = {}) {
  return formData({
    version: String(version),
    allowTotp: "on",
    requireDeviceActivation: "on",
    mfaRequiredFrom: "",
    reauthWindowMinutes: "10",
    userVerification: "DISCOURAGED",
    authenticatorType: "SECURITY_KEYS_ONLY",
    allowedAaguids: "",
    blockedAaguids: "",
    sessionTimeoutMinutes: "120",
    ...overrides,
  });
}

/** Everything a save could have written for an org: its settings row and its audit rows. */
async function snapshot(orgId: string) {
  const [settings, audit] = await Promise.all([
    db().orgSettings.findUnique({ where: { orgId } }),
    db().auditEvent.findMany({ where: { orgId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  ]);
  return { settings, audit };
}

describe("Session Settings: reading the policy", () => {
  it("gives an org that never saved the defaults of DESIGN.md, by context or by org id", async () => {
    const org = await createOrg("Defaults");
    const expected = { ...DEFAULT_POLICY, version: 0, updatedAt: null };
    expect(await readOrgPolicy(org.orgId)).toEqual(expected);
    // A user's policy also carries their role's requirement (DESIGN.md section 14): by default, any method.
    expect((await contextOf(org.adminToken)).policy).toEqual({
      ...expected,
      roleRequirement: { role: "ADMIN", requirement: "ANY_METHOD", requiredFrom: null, inForce: false },
    });
    expect(DEFAULT_POLICY).toMatchObject({
      allowSecurityKeys: false,
      requireMfa: false,
      allowTotp: true,
      requireDeviceActivation: true,
      reauthWindowMinutes: 10,
      userVerification: "DISCOURAGED",
      authenticatorType: "SECURITY_KEYS_ONLY",
      sessionTimeoutMinutes: 120,
      lockSessionsToIp: false,
    });
  });
});

describe("Session Settings: saving", () => {
  it("saves every field with one Save and writes one audit row per changed field", async () => {
    const org = await createOrg("Saver");
    await actAs(org.adminToken);
    const result = await saveSessionSettingsAction(
      formData({
        version: "0",
        allowSecurityKeys: "on",
        requireMfa: "on",
        mfaRequiredFrom: "2030-01-31",
        reauthWindowMinutes: "60",
        userVerification: "REQUIRED",
        authenticatorType: "SECURITY_KEYS_AND_PASSKEYS",
        allowedAaguids: `${YUBIKEY_5.toUpperCase()}\n${SOLO}\n${YUBIKEY_5}`,
        blockedAaguids: "",
        sessionTimeoutMinutes: "15",
        lockSessionsToIp: "on",
      }),
    );
    expect(result).toEqual({ ok: true, data: { version: 1, changed: 11, enrolmentDue: false } });

    const policy = await readOrgPolicy(org.orgId);
    expect(policy).toMatchObject({
      version: 1,
      allowSecurityKeys: true,
      requireMfa: true,
      mfaRequiredFrom: new Date("2030-01-31T00:00:00Z"),
      allowTotp: false,
      requireDeviceActivation: false,
      reauthWindowMinutes: 60,
      userVerification: "REQUIRED",
      authenticatorType: "SECURITY_KEYS_AND_PASSKEYS",
      allowedAaguids: [SOLO, YUBIKEY_5].sort(),
      blockedAaguids: [],
      sessionTimeoutMinutes: 15,
      lockSessionsToIp: true,
    });

    const audit = await db().auditEvent.findMany({ where: { orgId: org.orgId, section: "Session Settings" } });
    expect(audit).toHaveLength(11);
    const byField = Object.fromEntries(audit.map((row) => [row.field, `${row.oldValue} → ${row.newValue}`]));
    expect(byField).toMatchObject({
      [KEY_LABEL]: "False → True",
      "Let users verify their identity with an authenticator app (TOTP)": "True → False",
      "MFA required from": "None → 31 Jan 2030",
      "Re-authentication window for registering a verification method (minutes)": "10 → 60",
      "User verification": "Discouraged → Required",
      "Authenticator type": "Physical security keys only → Security keys and passkeys on this device",
      "Allowed authenticator models": `None → ${[SOLO, YUBIKEY_5].sort().join(", ")}`,
      "Timeout value": "2 hours → 15 minutes",
      "Lock sessions to the IP address from which they originated": "False → True",
    });
    expect(audit.every((row) => row.actorName === "Saver Admin" && row.actorId === org.adminId && row.ip === "203.0.113.7")).toBe(true);
  });

  it("a later save writes only what changed, and a save that changes nothing writes nothing", async () => {
    const org = await createOrg("Later");
    await actAs(org.adminToken);
    expect(await saveSessionSettingsAction(defaultForm(0, { allowSecurityKeys: "on" }))).toEqual({
      ok: true,
      data: { version: 1, changed: 1, enrolmentDue: false },
    });
    expect(await saveSessionSettingsAction(defaultForm(1, { allowSecurityKeys: "on", sessionTimeoutMinutes: "1440" }))).toEqual({
      ok: true,
      data: { version: 2, changed: 1, enrolmentDue: false },
    });
    const before = await snapshot(org.orgId);
    expect(await saveSessionSettingsAction(defaultForm(2, { allowSecurityKeys: "on", sessionTimeoutMinutes: "1440" }))).toEqual({
      ok: true,
      data: { version: 2, changed: 0, enrolmentDue: false },
    });
    expect(await snapshot(org.orgId)).toEqual(before);
    const rows = before.audit.filter((row) => row.section === "Session Settings").map((row) => `${row.field}: ${row.oldValue} → ${row.newValue}`);
    expect(rows).toEqual([`${KEY_LABEL}: False → True`, "Timeout value: 2 hours → 24 hours"]);
  });

  const invalid: [string, Record<string, string>, string][] = [
    ["a timeout below the range", { sessionTimeoutMinutes: "10" }, "sessionTimeoutMinutes"],
    ["a timeout above the range", { sessionTimeoutMinutes: "1441" }, "sessionTimeoutMinutes"],
    ["a timeout that is not a choice", { sessionTimeoutMinutes: "45" }, "sessionTimeoutMinutes"],
    ["a timeout that is not a number", { sessionTimeoutMinutes: "2h" }, "sessionTimeoutMinutes"],
    ["a re-authentication window of 0", { reauthWindowMinutes: "0" }, "reauthWindowMinutes"],
    ["a re-authentication window of 61", { reauthWindowMinutes: "61" }, "reauthWindowMinutes"],
    ["a fractional re-authentication window", { reauthWindowMinutes: "1.5" }, "reauthWindowMinutes"],
    ["an empty re-authentication window", { reauthWindowMinutes: "" }, "reauthWindowMinutes"],
    ["a malformed allowed AAGUID", { allowedAaguids: `${YUBIKEY_5}\ncb69481e-8ff7-4039-93ec-0a2729a154a` }, "allowedAaguids"],
    ["a blocked AAGUID that is not hex", { blockedAaguids: "zb69481e-8ff7-4039-93ec-0a2729a154a8" }, "blockedAaguids"],
    ["an AAGUID both allowed and blocked", { allowedAaguids: YUBIKEY_5, blockedAaguids: YUBIKEY_5.toUpperCase() }, "blockedAaguids"],
    ["an unknown user verification", { userVerification: "ALWAYS" }, "userVerification"],
    ["a lower-case user verification", { userVerification: "required" }, "userVerification"],
    ["an unknown authenticator type", { authenticatorType: "PLATFORM_ONLY" }, "authenticatorType"],
    ["an impossible MFA date", { mfaRequiredFrom: "2030-02-30" }, "mfaRequiredFrom"],
    ["a malformed MFA date", { mfaRequiredFrom: "31/01/2030" }, "mfaRequiredFrom"],
    ["a checkbox with a made-up value", { lockSessionsToIp: "yes" }, "lockSessionsToIp"],
    ["a missing version", { version: "" }, "version"],
  ];

  it.each(invalid)("refuses %s with a field error and writes nothing", async (_name, overrides, field) => {
    const org = await createOrg("Invalid");
    await actAs(org.adminToken);
    expect(await saveSessionSettingsAction(defaultForm(0, { sessionTimeoutMinutes: "30" }))).toMatchObject({ ok: true });
    const before = await snapshot(org.orgId);

    // Every other field changes too: one bad field must stop the whole save.
    const result = await saveSessionSettingsAction(
      defaultForm(1, { allowSecurityKeys: "on", lockSessionsToIp: "on", sessionTimeoutMinutes: "60", ...overrides }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe("Check the highlighted fields.");
    expect(Object.keys(result.fieldErrors ?? {})).toContain(field);
    expect(await snapshot(org.orgId)).toEqual(before);
  });

  it("refuses a save against a newer version and changes nothing", async () => {
    const org = await createOrg("Stale");
    const second = await signIn((await createUser(org.admin, "ADMIN")).userId, { fresh: true });
    // Both admins loaded version 0; the second saves first.
    await actAs(second.token);
    expect(await saveSessionSettingsAction(defaultForm(0, { sessionTimeoutMinutes: "30" }))).toMatchObject({ ok: true });
    const before = await snapshot(org.orgId);

    await actAs(org.adminToken);
    expect(await saveSessionSettingsAction(defaultForm(0, { allowSecurityKeys: "on" }))).toEqual({ ok: false, error: STALE_SETTINGS });
    expect(await snapshot(org.orgId)).toEqual(before);
    expect((await readOrgPolicy(org.orgId)).allowSecurityKeys).toBe(false);
  });

  it("lets exactly one of two concurrent saves from the same version through", async () => {
    const org = await createOrg("Race");
    const second = await signIn((await createUser(org.admin, "ADMIN")).userId, { fresh: true });
    await actAs(org.adminToken);
    await saveSessionSettingsAction(defaultForm(0, { reauthWindowMinutes: "20" }));
    const { saveSessionSettings } = await import("@/lib/policy/mutations");
    const { sessionSettingsSchema } = await import("@/lib/validation/session-settings");
    const input = (timeout: string) =>
      sessionSettingsSchema.parse(Object.fromEntries(defaultForm(1, { reauthWindowMinutes: "20", sessionTimeoutMinutes: timeout })));
    const outcomes = await Promise.allSettled([
      stepUp(org.admin).then((c) => saveSessionSettings(c, input("15"))),
      stepUp(asAdmin(second.ctx)).then((c) => saveSessionSettings(c, input("1440"))),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === "rejected");
    expect(rejected?.status === "rejected" && (rejected.reason as Error).message).toBe(STALE_SETTINGS);
    const policy = await readOrgPolicy(org.orgId);
    expect(policy.version).toBe(2);
    const timeoutRows = await db().auditEvent.count({ where: { orgId: org.orgId, field: "Timeout value" } });
    expect(timeoutRows).toBe(1);
  });
});

describe("Session Settings: a save that requires MFA of the admin who saved", () => {
  const today = () => new Date().toISOString().slice(0, 10);

  it("says the admin must now enrol when MFA applies at once and they have no second factor, and only then", async () => {
    const org = await createOrg("Enrol");
    await actAs(org.adminToken);
    // A grace period: nobody must enrol yet.
    expect(await saveSessionSettingsAction(defaultForm(0, { requireMfa: "on", mfaRequiredFrom: "2099-01-31" }))).toEqual({
      ok: true,
      data: { version: 1, changed: 2, enrolmentDue: false },
    });
    expect((await contextOf(org.adminToken)).mfa.enrolmentDue).toBe(false);
    // From today: saved, and the admin's own session may now do nothing but enrol.
    expect(await saveSessionSettingsAction(defaultForm(1, { requireMfa: "on", mfaRequiredFrom: today() }))).toEqual({
      ok: true,
      data: { version: 2, changed: 1, enrolmentDue: true },
    });
    expect((await readOrgPolicy(org.orgId)).version).toBe(2);
    expect((await contextOf(org.adminToken)).mfa.enrolmentDue).toBe(true);
  });

  it("counts the admin's second factor under the settings saved, not the ones replaced", async () => {
    const org = await createOrg("HasApp");
    await db().authenticatorApp.create({ data: { orgId: org.orgId, userId: org.adminId, secretSealed: "sealed", confirmedAt: new Date() } });
    await actAs(org.adminToken);
    // Their authenticator app counts: requiring MFA at once asks nothing more of them.
    expect(await saveSessionSettingsAction(defaultForm(0, { requireMfa: "on" }))).toEqual({ ok: true, data: { version: 1, changed: 1, enrolmentDue: false } });
    // The same save turning authenticator apps off leaves them with no second factor that counts.
    expect(await saveSessionSettingsAction(defaultForm(1, { requireMfa: "on", allowTotp: undefined }))).toEqual({
      ok: true,
      data: { version: 2, changed: 1, enrolmentDue: true },
    });
    expect((await contextOf(org.adminToken)).mfa.enrolmentDue).toBe(true);
  });
});

describe("Session Settings: who may save", () => {
  it("answers a standard user's save with 403 and changes nothing", async () => {
    const org = await createOrg("Roles");
    const standard = await signIn((await createUser(org.admin, "STANDARD")).userId);
    const before = await snapshot(org.orgId);
    await actAs(standard.token);
    const attempt = saveSessionSettingsAction(defaultForm(0, { allowSecurityKeys: "on" }));
    await expect(attempt).rejects.toSatisfy(isForbiddenSignal);
    expect(await snapshot(org.orgId)).toEqual(before);
  });

  it("refuses a signed-out save", async () => {
    const org = await createOrg("SignedOut");
    await actAs(null);
    expect(await saveSessionSettingsAction(defaultForm(0, { allowSecurityKeys: "on" }))).toEqual({ ok: false, error: SESSION_ENDED, code: "signed-out" });
    expect((await snapshot(org.orgId)).settings).toBeNull();
  });

  it("saves only the signed-in admin's org, whatever org the form names", async () => {
    const acme = await createOrg("Acme");
    const globex = await createOrg("Globex");
    const acmeBefore = await snapshot(acme.orgId);
    await actAs(globex.adminToken);
    const result = await saveSessionSettingsAction(defaultForm(0, { allowSecurityKeys: "on", orgId: acme.orgId, org: acme.slug, orgSlug: acme.slug }));
    expect(result).toMatchObject({ ok: true });
    expect(await snapshot(acme.orgId)).toEqual(acmeBefore);
    expect((await readOrgPolicy(acme.orgId)).allowSecurityKeys).toBe(false);
    expect((await readOrgPolicy(globex.orgId)).allowSecurityKeys).toBe(true);
  });
});
