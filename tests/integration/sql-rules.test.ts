import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { PasswordCheckedUser } from "@/lib/auth/org-context";
import { completePendingLogin, createPendingLogin, findPendingLogin, livePendingLoginSql, MAX_FAILED_VERIFICATIONS } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { col, execute, query, rowMapper, RowShapeError } from "@/lib/db/sql";
import { policyFor } from "@/lib/policy/effective";
import { userMethods } from "@/lib/verification/methods";
import {
  COUNTED_APP,
  COUNTED_KEY,
  countedAppSql,
  countedKeySql,
  secondFactorCounts,
  USABLE_APP,
  USABLE_KEY,
  usableAppSql,
  usableKeySql,
} from "@/lib/verification/second-factors";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, contextOf, createOrg, createUser, setOrgPolicy, signIn } from "../support/factories";

// Rules kept once for the driver's SQL and for Prisma (issue 25 item 4): the
// SQL fragment and the Prisma filter read off one rule must pick the same
// rows, the same statement must read the same through either, and a raw row
// whose column was renamed must fail at the boundary.

useTestDatabase();

type KeyState = "plain" | "flagged" | "suspended";
type AppState = "confirmed" | "unconfirmed" | "suspended";

async function giveFactors(user: { userId: string; orgId: string }, keys: KeyState[], app?: AppState) {
  const now = new Date();
  for (const state of keys) {
    await db().securityKey.create({
      data: {
        orgId: user.orgId,
        userId: user.userId,
        credentialId: crypto.randomBytes(16).toString("base64url"),
        publicKey: "AA",
        transports: ["usb"],
        aaguid: "00000000-0000-0000-0000-000000000000",
        attestationFormat: "none",
        attestation: "none",
        name: `Key ${state}`,
        flaggedAt: state === "flagged" ? now : null,
        suspendedAt: state === "suspended" ? now : null,
      },
    });
  }
  if (app) {
    await db().authenticatorApp.create({
      data: {
        orgId: user.orgId,
        userId: user.userId,
        secretSealed: "sealed",
        confirmedAt: app === "unconfirmed" ? null : now,
        suspendedAt: app === "suspended" ? now : null,
      },
    });
  }
}

const idRow = rowMapper({ id: col.text });
const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

async function orgWithFactors() {
  const org = await createOrg("SqlRules");
  await setOrgPolicy(org.admin, { allowSecurityKeys: true, allowTotp: true });
  const users = {
    plainKey: await createUser(org.admin),
    flaggedKeyAndApp: await createUser(org.admin),
    suspendedOnly: await createUser(org.admin),
    unconfirmedApp: await createUser(org.admin),
  };
  await giveFactors({ ...users.plainKey, orgId: org.orgId }, ["plain"]);
  await giveFactors({ ...users.flaggedKeyAndApp, orgId: org.orgId }, ["flagged"], "confirmed");
  await giveFactors({ ...users.suspendedOnly, orgId: org.orgId }, ["suspended"], "suspended");
  await giveFactors({ ...users.unconfirmedApp, orgId: org.orgId }, [], "unconfirmed");
  return { org, users };
}

describe("which second factors count, once for SQL and Prisma", () => {
  it("the SQL fragments and the Prisma filters pick the same keys and apps", async () => {
    const { org } = await orgWithFactors();
    const where = { orgId: org.orgId };
    const keySql = (rule: string) => query(idRow, `SELECT k."id" FROM "SecurityKey" k WHERE k."orgId" = $1::uuid AND ${rule}`, [org.orgId]);
    const appSql = (rule: string) => query(idRow, `SELECT a."id" FROM "AuthenticatorApp" a WHERE a."orgId" = $1::uuid AND ${rule}`, [org.orgId]);
    const counted = ids(await db().securityKey.findMany({ where: { ...where, ...COUNTED_KEY }, select: { id: true } }));
    const usable = ids(await db().securityKey.findMany({ where: { ...where, ...USABLE_KEY }, select: { id: true } }));
    expect(counted).toHaveLength(3); // flagged and suspended keys still count
    expect(usable).toHaveLength(1);
    expect(ids(await keySql(countedKeySql("k")))).toEqual(counted);
    expect(ids(await keySql(usableKeySql("k")))).toEqual(usable);
    const countedApps = ids(await db().authenticatorApp.findMany({ where: { ...where, ...COUNTED_APP }, select: { id: true } }));
    const usableApps = ids(await db().authenticatorApp.findMany({ where: { ...where, ...USABLE_APP }, select: { id: true } }));
    expect(countedApps).toHaveLength(2); // confirmed, suspended or not; never an unconfirmed one
    expect(usableApps).toHaveLength(1);
    expect(ids(await appSql(countedAppSql("a")))).toEqual(countedApps);
    expect(ids(await appSql(usableAppSql("a")))).toEqual(usableApps);
  });

  it("counts the same on the driver and inside a Prisma transaction, under the org's policy, as the login sees them", async () => {
    const { org, users } = await orgWithFactors();
    const policy = await policyFor(org.orgId, "STANDARD");
    const cases = [
      [users.plainKey, { registered: 1, usable: 1 }, ["security-key"]],
      [users.flaggedKeyAndApp, { registered: 2, usable: 1 }, ["security-key", "authenticator-app"]],
      [users.suspendedOnly, { registered: 2, usable: 0 }, ["security-key", "authenticator-app"]],
      [users.unconfirmedApp, { registered: 0, usable: 0 }, []],
    ] as const;
    for (const [user, counts, factors] of cases) {
      const owner = { userId: user.userId, orgId: org.orgId };
      expect(await secondFactorCounts(owner, policy)).toEqual(counts);
      expect(await db().$transaction((tx) => secondFactorCounts(owner, policy, tx))).toEqual(counts);
      const subject = Object.freeze({ kind: "password-checked", ...owner, policy }) as PasswordCheckedUser;
      expect((await userMethods(subject)).secondFactors).toEqual(factors);
    }
    // A kind the org does not allow counts for nothing.
    const keysOff = { ...policy, allowSecurityKeys: false };
    expect(await secondFactorCounts({ userId: users.flaggedKeyAndApp.userId, orgId: org.orgId }, keysOff)).toEqual({ registered: 1, usable: 1 });
  });
});

describe("raw SQL rows at the boundary", () => {
  it("a renamed column fails with its name, on the driver and through Prisma", async () => {
    const counts = rowMapper({ registered: col.int });
    await expect(query(counts, `SELECT 1 AS "registerd"`)).rejects.toThrow(RowShapeError);
    await expect(query(counts, `SELECT 1 AS "registerd"`, [], db())).rejects.toThrow(/missing column "registered"/);
    // The same statement reads the same through both: a count is a number, not pg's string or Prisma's bigint.
    expect(await query(counts, `SELECT count(*) AS registered FROM "User"`)).toEqual(
      await query(counts, `SELECT count(*) AS registered FROM "User"`, [], db()),
    );
    expect(typeof (await query(counts, `SELECT count(*) AS registered FROM "User"`, [], db()))[0]!.registered).toBe("number");
  });
});

describe("the live pending login, once", () => {
  it("a pending login at its failure limit is dead for every reader and writer", async () => {
    const org = await createOrg("LivePending");
    const user = await createUser(org.admin);
    const policy = await policyFor(org.orgId, "STANDARD");
    const checked = Object.freeze({ kind: "password-checked", orgId: org.orgId, userId: user.userId, policy }) as PasswordCheckedUser;
    const token = await createPendingLogin(checked, { secondFactor: false, deviceActivation: false }, TEST_REQUEST);
    expect(await findPendingLogin(token)).not.toBeNull();
    await db().pendingLogin.updateMany({ where: { userId: user.userId }, data: { failedAttempts: MAX_FAILED_VERIFICATIONS } });
    expect(await findPendingLogin(token)).toBeNull();
    await expect(completePendingLogin(token, TEST_REQUEST)).rejects.toThrow(/expired/);
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);
    // The Prisma path's writes use the same fragment (through a transaction): nothing to write.
    const written = await db().$transaction((tx) =>
      execute(
        `UPDATE "PendingLogin" SET "verifiedAt" = $1::timestamp WHERE "userId" = $2::uuid AND ${livePendingLoginSql(null, "$1")} RETURNING 1`,
        [new Date().toISOString(), user.userId],
        tx,
      ),
    );
    expect(written).toBe(0);
  });
});

describe("one effective policy per role", () => {
  it("the session, the pending login and policyFor derive the same policy from the org's settings", async () => {
    const org = await createOrg("PolicyFor");
    await setOrgPolicy(org.admin, { allowSecurityKeys: true, requireMfa: true, mfaRequiredFrom: new Date("2031-02-01T00:00:00Z"), sessionTimeoutMinutes: 30 });
    const user = await createUser(org.admin);
    const expected = await policyFor(org.orgId, "STANDARD");
    expect(expected).toMatchObject({ allowSecurityKeys: true, requireMfa: true, sessionTimeoutMinutes: 30 });
    const { token } = await signIn(user.userId);
    expect((await contextOf(token)).policy).toEqual(expected);
    const checked = Object.freeze({ kind: "password-checked", orgId: org.orgId, userId: user.userId, policy: expected }) as PasswordCheckedUser;
    const pendingToken = await createPendingLogin(checked, { secondFactor: true, deviceActivation: false }, TEST_REQUEST);
    expect((await findPendingLogin(pendingToken))!.policy).toEqual(expected);
  });
});
