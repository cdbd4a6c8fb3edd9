import crypto from "node:crypto";
import { stepUp } from "@/lib/auth/freshness";
import { describe, expect, it, vi } from "vitest";
import { addUserAction, setUserActiveAction } from "@/app/(app)/setup/users/actions";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { addUser, revokeUserSession, setUserActive } from "@/lib/users/mutations";
import { findUser, getOwnAccount, listUsers } from "@/lib/users/queries";
import { addUserSchema } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, signIn, TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { actAs, isForbiddenSignal } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

/** What an action call ends in: its result, or the signal it threw (forbidden() is a thrown 403). */
async function outcomeOf(call: Promise<unknown>): Promise<unknown> {
  return call.catch((error: unknown) => error);
}

/** Two orgs, each with an admin and a signed-in standard user. */
async function twoOrgs() {
  const a = await createOrg("Alpha");
  const b = await createOrg("Bravo");
  const userA = await createUser(a.admin);
  const userB = await createUser(b.admin);
  const sessionA = await signIn(userA.userId);
  const sessionB = await signIn(userB.userId);
  return { a, b, userA, userB, sessionA, sessionB };
}

describe("tenant isolation", () => {
  it("an admin of org B cannot read a user of org A: not found", async () => {
    const { a, b, userA } = await twoOrgs();

    expect(await findUser(b.admin, userA.userId)).toBeNull();
    expect(await findUser(b.admin, a.adminId)).toBeNull();
    // Control: the same lookup from org A finds them.
    expect(await findUser(a.admin, userA.userId)).toMatchObject({ id: userA.userId, username: userA.username });
    expect(await findUser(b.admin, crypto.randomUUID())).toBeNull();
  });

  it("an admin of org B cannot end a session of org A: not found, and the session stays live", async () => {
    const { a, b, sessionA } = await twoOrgs();
    const before = await tableCounts();

    expect(await rejectionOf(revokeUserSession(b.admin, sessionA.ctx.sessionId))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(revokeUserSession(b.admin, a.admin.sessionId))).toBeInstanceOf(NotFoundError);

    expect(await resolveSession(sessionA.token, TEST_REQUEST)).not.toBeNull();
    expect(await resolveSession(a.adminToken, TEST_REQUEST)).not.toBeNull();
    expect(await tableCounts()).toEqual(before);
  });

  it("an admin of org B cannot deactivate or reactivate a user of org A: not found, and nothing changes", async () => {
    const { a, b, userA, sessionA } = await twoOrgs();
    const inactiveA = await createUser(a.admin);
    await setUserActive(await stepUp(a.admin), inactiveA.userId, false);
    const before = await tableCounts();
    const rowsBefore = await db().user.findMany({ where: { orgId: a.orgId }, orderBy: { id: "asc" } });

    const errors = [
      await rejectionOf(stepUp(b.admin).then((c) => setUserActive(c, userA.userId, false))),
      await rejectionOf(stepUp(b.admin).then((c) => setUserActive(c, a.adminId, false))),
      await rejectionOf(stepUp(b.admin).then((c) => setUserActive(c, inactiveA.userId, true))),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.message).toBe("That user was not found.");
    }
    expect(await db().user.findMany({ where: { orgId: a.orgId }, orderBy: { id: "asc" } })).toEqual(rowsBefore);
    expect(await resolveSession(sessionA.token, TEST_REQUEST)).not.toBeNull();
    expect(await tableCounts()).toEqual(before);
  });

  it("a foreign id answers exactly like an id that does not exist (no existence oracle)", async () => {
    const { b, userA, sessionA } = await twoOrgs();

    const foreignUser = await rejectionOf(stepUp(b.admin).then((c) => setUserActive(c, userA.userId, false)));
    const missingUser = await rejectionOf(stepUp(b.admin).then((c) => setUserActive(c, crypto.randomUUID(), false)));
    const foreignSession = await rejectionOf(revokeUserSession(b.admin, sessionA.ctx.sessionId));
    const missingSession = await rejectionOf(revokeUserSession(b.admin, crypto.randomUUID()));

    expect([foreignUser.constructor, foreignUser.message]).toEqual([missingUser.constructor, missingUser.message]);
    expect([foreignSession.constructor, foreignSession.message]).toEqual([missingSession.constructor, missingSession.message]);
    expect((foreignUser as NotFoundError).status).toBe(404);
  });

  it("listUsers lists only the context's org, whatever the search", async () => {
    const { a, b, userA, userB } = await twoOrgs();

    const listB = await listUsers(b.admin, { q: "", page: 1 });
    expect(listB.users.map((u) => u.id).sort()).toEqual([b.adminId, userB.userId].sort());
    expect(listB.total).toBe(2);

    // Searching for org A's people from org B finds nobody.
    for (const q of [userA.username, a.slug, "alpha", "user-", "@"]) {
      const found = await listUsers(b.admin, { q, page: 1 });
      expect(
        found.users.every((u) => u.id === b.adminId || u.id === userB.userId),
        q,
      ).toBe(true);
      expect(
        found.users.some((u) => u.id === userA.userId || u.id === a.adminId),
        q,
      ).toBe(false);
    }
  });

  it("a user added by an admin lands in the admin's org, even if the form names another org", async () => {
    const { a, b } = await twoOrgs();
    const username = `smuggled-${crypto.randomBytes(3).toString("hex")}@bravo.test`;
    const input = addUserSchema.parse({ name: "Smuggled", username, email: username, role: "STANDARD", password: TEST_PASSWORD, orgId: a.orgId });

    const { userId } = await addUser(b.admin, input);

    expect(await db().user.findUniqueOrThrow({ where: { id: userId } })).toMatchObject({ orgId: b.orgId });
    expect(await findUser(a.admin, userId)).toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: a.orgId, action: "Created user" } })).toBe(1);
  });

  it("a standard user sees only their own account", async () => {
    const { a, userA, sessionA } = await twoOrgs();
    expect(await getOwnAccount(sessionA.ctx)).toMatchObject({ id: userA.userId, username: userA.username, role: "STANDARD" });
    expect(await getOwnAccount(a.admin)).toMatchObject({ id: a.adminId, role: "ADMIN" });
  });
});

describe("standard users", () => {
  it("cannot add users: forbidden, and nothing is created", async () => {
    const { a, sessionA } = await twoOrgs();
    const before = await tableCounts();
    const username = `sneaky-${crypto.randomBytes(3).toString("hex")}@alpha.test`;

    await actAs(sessionA.token);
    expect(isForbiddenSignal(await outcomeOf(addUserAction({ name: "Sneaky", username, email: username, role: "ADMIN" })))).toBe(true);
    expect(await db().user.findFirst({ where: { username } })).toBeNull();
    expect(await db().user.count({ where: { orgId: a.orgId } })).toBe(2);
    expect(await tableCounts()).toEqual(before);
  });

  it("cannot deactivate or reactivate anyone: forbidden, and nothing changes", async () => {
    const { a, sessionA } = await twoOrgs();
    const colleague = await createUser(a.admin);
    const colleagueSession = await signIn(colleague.userId);
    const inactive = await createUser(a.admin);
    await setUserActive(await stepUp(a.admin), inactive.userId, false);
    const before = await tableCounts();
    const rowsBefore = await db().user.findMany({ where: { orgId: a.orgId }, orderBy: { id: "asc" } });

    for (const [userId, active] of [
      [a.adminId, false],
      [colleague.userId, false],
      [inactive.userId, true],
      [sessionA.ctx.userId, false],
    ] as const) {
      await actAs(sessionA.token);
      expect(isForbiddenSignal(await outcomeOf(setUserActiveAction({ userId, active: String(active) })))).toBe(true);
    }

    expect(await db().user.findMany({ where: { orgId: a.orgId }, orderBy: { id: "asc" } })).toEqual(rowsBefore);
    expect(await resolveSession(a.adminToken, TEST_REQUEST)).not.toBeNull();
    expect(await resolveSession(colleagueSession.token, TEST_REQUEST)).not.toBeNull();
    expect(await tableCounts()).toEqual(before);
  });
});
