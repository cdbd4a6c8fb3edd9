import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import type { Role } from "@/lib/db/generated/enums";
import { countUsersNotMeetingTheirRole, roleRequirementWarnings, usersNotMeetingTheirRole } from "@/lib/policy/role-requirements";
import { policyFromRow } from "@/lib/policy/rules";
import { setUserActive, setUserRole } from "@/lib/users/mutations";
import { adoptionSummary, methodAdoption } from "@/lib/users/queries";
import { removeUserKey } from "@/lib/webauthn/keys";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, inviteUser } from "../support/factories";
import { setOrgSettings } from "../support/security-keys";

// Setup pages read an org's user counts from "OrgUserCount" (one row per org
// and role), kept by statement-level triggers on "User". Every writer must
// move them: the services, Prisma's plain writes and plain SQL; and no write
// may move another org's.

const database = useTestDatabase();

type Org = Awaited<ReturnType<typeof createOrg>>;
type Counts = Record<Role, { users: number; activeUsers: number }>;

/** The counter rows of an org (a role without a row counts none). */
async function counters(orgId: string): Promise<Counts> {
  const rows = await db().orgUserCount.findMany({ where: { orgId } });
  const of = (role: Role) => rows.find((r) => r.role === role) ?? { users: 0, activeUsers: 0 };
  return {
    ADMIN: { users: of("ADMIN").users, activeUsers: of("ADMIN").activeUsers },
    STANDARD: { users: of("STANDARD").users, activeUsers: of("STANDARD").activeUsers },
  };
}

/** The same figures counted from the users themselves. */
async function counted(orgId: string): Promise<Counts> {
  const of = async (role: Role) => ({
    users: await db().user.count({ where: { orgId, role } }),
    activeUsers: await db().user.count({ where: { orgId, role, isActive: true } }),
  });
  return { ADMIN: await of("ADMIN"), STANDARD: await of("STANDARD") };
}

/** Both orgs' counters hold the expected figures, which are also what counting their users gives. */
async function expectCounts(expected: Array<[Org, Counts]>) {
  for (const [org, counts] of expected) {
    expect(await counters(org.orgId)).toEqual(counts);
    expect(await counted(org.orgId)).toEqual(counts);
  }
}

const counts = (admins: [number, number], standard: [number, number]): Counts => ({
  ADMIN: { users: admins[0], activeUsers: admins[1] },
  STANDARD: { users: standard[0], activeUsers: standard[1] },
});

async function addKey(org: Org, userId: string) {
  const token = crypto.randomBytes(16).toString("hex");
  return db().securityKey.create({
    data: {
      orgId: org.orgId,
      userId,
      credentialId: token,
      publicKey: token,
      transports: ["usb"],
      aaguid: "00000000-0000-0000-0000-000000000000",
      attestationFormat: "none",
      attestation: "none",
      name: "Test key",
    },
  });
}

describe("OrgUserCount: users and active users per org and role", () => {
  let a: Org;
  let b: Org;

  beforeAll(async () => {
    a = await createOrg("Counts A");
    b = await createOrg("Counts B");
  });

  it("counts each org's sign-up admin, and nothing of the other org", async () => {
    await expectCounts([
      [a, counts([1, 1], [0, 0])],
      [b, counts([1, 1], [0, 0])],
    ]);
  });

  it("follows users added, invited, deactivated, reactivated, promoted and deleted through the services and Prisma", async () => {
    const first = await createUser(a.admin);
    const second = await createUser(a.admin);
    await inviteUser(a.admin);
    await createUser(b.admin, "ADMIN");
    await expectCounts([
      [a, counts([1, 1], [3, 3])],
      [b, counts([2, 2], [0, 0])],
    ]);

    const admin = await stepUp(a.admin);
    await setUserActive(admin, first.userId, false);
    await expectCounts([
      [a, counts([1, 1], [3, 2])],
      [b, counts([2, 2], [0, 0])],
    ]);
    expect(await methodAdoption(a.admin)).toMatchObject({ totalUsers: 4, activeUsers: 3 });

    await setUserActive(admin, first.userId, true);
    await expectCounts([
      [a, counts([1, 1], [3, 3])],
      [b, counts([2, 2], [0, 0])],
    ]);

    // An inactive user changing role moves between roles inactive.
    await setUserActive(admin, second.userId, false);
    await setUserRole(admin, second.userId, "ADMIN");
    await expectCounts([
      [a, counts([2, 1], [2, 2])],
      [b, counts([2, 2], [0, 0])],
    ]);

    await db().user.delete({ where: { id: second.userId } });
    await db().user.deleteMany({ where: { id: first.userId, orgId: a.orgId } });
    await expectCounts([
      [a, counts([1, 1], [1, 1])],
      [b, counts([2, 2], [0, 0])],
    ]);
    expect(await adoptionSummary(a.admin)).toMatchObject({ totalUsers: 2, activeUsers: 2 });
    expect(await adoptionSummary(b.admin)).toMatchObject({ totalUsers: 2, activeUsers: 2 });
  });

  it("follows plain SQL: a bulk insert, an update and a delete that span both orgs in one statement", async () => {
    await database.current().raw.query(
      `INSERT INTO "User" ("id", "orgId", "username", "email", "name", "role", "isActive", "updatedAt")
       SELECT gen_random_uuid(), o."id", 'bulk-' || n || '@' || o."slug" || '.test', 'bulk-' || n || '@' || o."slug" || '.test',
              'Bulk ' || n, 'STANDARD', n % 4 <> 0, now()
         FROM generate_series(1, 200) AS n, "Org" o WHERE o."id" IN ($1::uuid, $2::uuid) AND (o."id" = $1::uuid OR n <= 40)`,
      [a.orgId, b.orgId],
    );
    // a: 200 new, 150 active; b: 40 new, 30 active.
    await expectCounts([
      [a, counts([1, 1], [201, 151])],
      [b, counts([2, 2], [40, 30])],
    ]);

    await database
      .current()
      .raw.query(`UPDATE "User" SET "isActive" = NOT "isActive" WHERE "username" LIKE 'bulk-%' AND "orgId" IN ($1::uuid, $2::uuid)`, [a.orgId, b.orgId]);
    await expectCounts([
      [a, counts([1, 1], [201, 51])],
      [b, counts([2, 2], [40, 10])],
    ]);

    // An update that changes no org, role or status moves nothing.
    await database
      .current()
      .raw.query(`UPDATE "User" SET "secondFactorFailures" = "secondFactorFailures" WHERE "orgId" IN ($1::uuid, $2::uuid)`, [a.orgId, b.orgId]);
    await expectCounts([
      [a, counts([1, 1], [201, 51])],
      [b, counts([2, 2], [40, 10])],
    ]);

    await database
      .current()
      .raw.query(`DELETE FROM "User" WHERE "username" LIKE 'bulk-%' AND "orgId" IN ($1::uuid, $2::uuid) AND "isActive"`, [a.orgId, b.orgId]);
    await expectCounts([
      [a, counts([1, 1], [151, 1])],
      [b, counts([2, 2], [30, 0])],
    ]);
    await database.current().raw.query(`DELETE FROM "User" WHERE "username" LIKE 'bulk-%' AND "orgId" IN ($1::uuid, $2::uuid)`, [a.orgId, b.orgId]);
    await expectCounts([
      [a, counts([1, 1], [1, 1])],
      [b, counts([2, 2], [0, 0])],
    ]);
  });

  it("adoption follows keys added and removed, and a deactivated key holder, in its own org only", async () => {
    const holder = await createUser(a.admin);
    const key = await addKey(a, holder.userId);
    expect(await methodAdoption(a.admin)).toMatchObject({ totalUsers: 3, activeUsers: 3, withSecurityKey: 1, keys: 1 });
    expect(await methodAdoption(b.admin)).toMatchObject({ totalUsers: 2, activeUsers: 2, withSecurityKey: 0, keys: 0 });

    const admin = await stepUp(a.admin);
    await setUserActive(admin, holder.userId, false);
    expect(await adoptionSummary(a.admin)).toMatchObject({ totalUsers: 3, activeUsers: 2, withKey: 0, withNothing: 2 });
    await setUserActive(admin, holder.userId, true);
    expect(await adoptionSummary(a.admin)).toMatchObject({ totalUsers: 3, activeUsers: 3, withKey: 1, withNothing: 2 });

    await removeUserKey(admin, holder.userId, key.id, "Lost");
    expect(await methodAdoption(a.admin)).toMatchObject({ totalUsers: 3, activeUsers: 3, withSecurityKey: 0, keys: 0 });
    await expectCounts([
      [a, counts([1, 1], [2, 2])],
      [b, counts([2, 2], [0, 0])],
    ]);
  });

  it("the requirement preview counts a role's active users less those with an accepted key, whatever the other org holds", async () => {
    await setOrgSettings(a.orgId, { allowSecurityKeys: true });
    await setOrgSettings(b.orgId, { allowSecurityKeys: true });
    const withKey = await createUser(a.admin);
    await addKey(a, withKey.userId);
    const inactive = await createUser(a.admin);
    await setUserActive(await stepUp(a.admin), inactive.userId, false);
    // b's users never count for a: three standard users there, none with a key.
    for (let i = 0; i < 3; i += 1) await createUser(b.admin);

    const current = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: a.orgId } }));
    const keyOnly = { ...current, adminRequirement: "SECURITY_KEY", standardRequirement: "SECURITY_KEY" } as const;
    const warnings = await roleRequirementWarnings(a.admin, current, keyOnly);
    const standard = warnings.find((w) => w.role === "STANDARD" && w.code === "role-requirement-not-met");
    // a's standard users: 3 active (one with a key), 1 inactive.
    expect(standard?.message).toMatch(/^2 standard users have no security key: /);
    expect(warnings.find((w) => w.role === "ADMIN" && w.code === "role-requirement-not-met")?.message).toMatch(/^1 admin has no security key: /);

    await db().orgSettings.update({ where: { orgId: a.orgId }, data: { standardRequirement: "SECURITY_KEY" } });
    expect(await countUsersNotMeetingTheirRole(a.admin)).toBe((await usersNotMeetingTheirRole(a.admin)).length);
    expect(await countUsersNotMeetingTheirRole(a.admin)).toBe(2);
    expect(await countUsersNotMeetingTheirRole(b.admin)).toBe(0);

    // With keys off, no key counts: every active user of the role fails.
    await setOrgSettings(a.orgId, { allowSecurityKeys: false });
    expect(await countUsersNotMeetingTheirRole(a.admin)).toBe(3);
    expect(await usersNotMeetingTheirRole(a.admin)).toHaveLength(3);
  });

  it("an org's deletion takes its counters with it; the other org's stay", async () => {
    const before = await counters(a.orgId);
    await db().org.delete({ where: { id: b.orgId } });
    expect(await db().orgUserCount.count({ where: { orgId: b.orgId } })).toBe(0);
    expect(await counters(a.orgId)).toEqual(before);
    expect(await counted(a.orgId)).toEqual(before);
  });
});
