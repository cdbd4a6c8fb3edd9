import crypto from "node:crypto";
import { stepUp } from "@/lib/auth/freshness";
import { describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { addUser, USERNAME_IN_USE } from "@/lib/users/mutations";
import { listUsers, USERS_PAGE_SIZE } from "@/lib/users/queries";
import { addUserSchema, type AddUserInput } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { completeInvitation } from "@/lib/users/invitations";
import { asAdmin, createOrg, createUser, invitationTokenFor, signIn, TEST_PASSWORD } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

function newUser(overrides: Partial<AddUserInput> = {}): AddUserInput {
  const username = `new-${crypto.randomBytes(4).toString("hex")}@users.test`;
  return { name: "Grace Hopper", username, email: username, role: "STANDARD", ...overrides };
}

async function expectUsernameInUse(promise: Promise<unknown>) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(UserFacingError);
  expect((error as UserFacingError).fieldErrors).toEqual({ username: USERNAME_IN_USE });
}

describe("adding a user", () => {
  it("creates the user in the admin's org, who can then log in, and audits it", async () => {
    const org = await createOrg("Adds");
    const input = newUser({ email: "grace.hopper@mail.test", role: "ADMIN" });
    const before = await tableCounts();

    const { userId } = await addUser(await stepUp(org.admin), input);

    const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({
      orgId: org.orgId,
      username: input.username,
      email: "grace.hopper@mail.test",
      name: "Grace Hopper",
      role: "ADMIN",
      isActive: true,
    });
    // Invited, not yet able to log in: the password comes from the invitation link.
    expect(user.passwordHash).toBeNull();
    const audit = await db().auditEvent.findMany({ where: { orgId: org.orgId, action: "Created user" } });
    expect(audit).toEqual([
      expect.objectContaining({ actorId: org.adminId, targetId: userId, section: "Users", newValue: `Grace Hopper <${input.username}> (Admin)` }),
    ]);
    // And the admin's hourly "Add user" budget has its counter.
    expect(await tableCounts()).toEqual({ ...before, users: before.users + 1, auditEvents: before.auditEvents + 1, rateLimits: before.rateLimits + 1 });

    await completeInvitation(await invitationTokenFor(input.email), TEST_PASSWORD);
    const login = await authenticateWithPassword(input.username, TEST_PASSWORD, requestFromNewIp());
    expect(login).toMatchObject({ userId, orgId: org.orgId });
  });

  it("refuses a username already used in the same org on the username field, creating nothing", async () => {
    const org = await createOrg("Dupes");
    const existing = await createUser(org.admin);
    const before = await tableCounts();

    await expectUsernameInUse(addUser(org.admin, newUser({ username: existing.username, name: "Impostor" })));
    await expectUsernameInUse(addUser(await stepUp(org.admin), newUser({ username: org.adminUsername, role: "ADMIN" })));

    expect(await tableCounts()).toEqual(before);
    expect(await db().user.findMany({ where: { name: "Impostor" } })).toEqual([]);
  });

  it("adds a username another org has as for any other, without revealing it or touching the other org's user", async () => {
    const other = await createOrg("Other");
    const taken = await createUser(other.admin);
    const org = await createOrg("Mine");
    const before = await tableCounts();
    const otherUserBefore = await db().user.findUniqueOrThrow({ where: { id: taken.userId } });

    // The invitation holds the name in this org only; the set-password link says whose it is (username-claims.test.ts).
    await addUser(org.admin, newUser({ username: taken.username }));

    expect(await tableCounts()).toMatchObject({ users: before.users + 1 });
    expect(await db().user.findUniqueOrThrow({ where: { id: taken.userId } })).toEqual(otherUserBefore);
  });

  it("treats usernames differing only in case or spaces as the same, as the form normalises them", async () => {
    const org = await createOrg("Case");
    const existing = await createUser(org.admin);
    const before = await tableCounts();
    const input = addUserSchema.parse({ ...newUser(), username: `  ${existing.username.toUpperCase()} ` });

    await expectUsernameInUse(addUser(org.admin, input));

    expect(await tableCounts()).toEqual(before);
  });

  it("two admins of one org racing to add one username create exactly one user", async () => {
    const org = await createOrg("RaceA");
    const second = await createUser(org.admin, "ADMIN");
    const secondAdmin = asAdmin((await signIn(second.userId, { fresh: true })).ctx);
    const input = newUser();
    const before = await tableCounts();

    const outcomes = await Promise.allSettled([addUser(org.admin, input), addUser(secondAdmin, { ...input, name: "Racer" })]);

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await db().user.count({ where: { username: input.username } })).toBe(1);
    // The second admin's first "Add user" starts their budget's counter.
    expect(await tableCounts()).toEqual({ ...before, users: before.users + 1, auditEvents: before.auditEvents + 1, rateLimits: before.rateLimits + 1 });
  });

  it("the loser of a race for a username gets the username field error, not an internal error", async () => {
    const org = await createOrg("RaceC");
    const input = newUser();

    const outcomes = await Promise.allSettled([addUser(org.admin, input), addUser(org.admin, input)]);

    const [loser] = outcomes.filter((o) => o.status === "rejected");
    expect((loser!.reason as UserFacingError).fieldErrors).toEqual({ username: USERNAME_IN_USE });
  });
});

describe("the user list", () => {
  it("searches name, username and email, ignoring case", async () => {
    const org = await createOrg("Search");
    const ada = await addUser(
      org.admin,
      newUser({ name: "Ada Lovelace", username: `ada-${crypto.randomUUID()}@search.test`, email: "countess@analytical.test" }),
    );
    const alan = await addUser(org.admin, newUser({ name: "Alan Turing", username: `alan-${crypto.randomUUID()}@search.test`, email: "alan@bletchley.test" }));
    const ids = async (q: string) => (await listUsers(org.admin, { q, page: 1 })).users.map((u) => u.id).sort();

    expect(await ids("LOVELACE")).toEqual([ada.userId]);
    expect(await ids("alan-")).toEqual([alan.userId]);
    expect(await ids("Analytical")).toEqual([ada.userId]);
    expect(await ids("@search.test")).toEqual([ada.userId, alan.userId].sort());
    expect(await ids("nobody-matches-this")).toEqual([]);
    expect((await listUsers(org.admin, { q: "nobody-matches-this", page: 1 })).total).toBe(0);
  });

  it("treats %, _ and \\ in a search as plain characters", async () => {
    const org = await createOrg("Wildcards");
    const percent = await addUser(org.admin, newUser({ name: "100% Uptime" }));
    const underscore = await addUser(org.admin, newUser({ name: "snake_case" }));
    const backslash = await addUser(org.admin, newUser({ name: "Domain\\ada" }));
    const ids = async (q: string) => (await listUsers(org.admin, { q, page: 1 })).users.map((u) => u.id);

    expect(await ids("%")).toEqual([percent.userId]);
    expect(await ids("0% u")).toEqual([percent.userId]);
    expect(await ids("_")).toEqual([underscore.userId]);
    expect(await ids("e_c")).toEqual([underscore.userId]);
    expect(await ids("\\")).toEqual([backslash.userId]);
    expect(await ids("n\\a")).toEqual([backslash.userId]);
  });

  it(`pages by ${USERS_PAGE_SIZE}, ordered by name, without gaps or repeats`, async () => {
    const org = await createOrg("Paging");
    const extra = USERS_PAGE_SIZE + 2;
    for (let i = 0; i < extra; i += 1) {
      await addUser(org.admin, newUser({ name: `Member ${String(i).padStart(2, "0")}` }));
    }
    const total = extra + 1; // and the admin

    const first = await listUsers(org.admin, { q: "", page: 1 });
    const second = await listUsers(org.admin, { q: "", page: 2 });
    const beyond = await listUsers(org.admin, { q: "", page: 3 });

    expect(first).toMatchObject({ total, page: 1, pageCount: 2 });
    expect(first.users).toHaveLength(USERS_PAGE_SIZE);
    expect(second.users).toHaveLength(total - USERS_PAGE_SIZE);
    expect(beyond.users).toEqual([]);
    const all = [...first.users, ...second.users];
    expect(new Set(all.map((u) => u.id)).size).toBe(total);
    expect(all.map((u) => u.name)).toEqual(all.map((u) => u.name).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));

    const searched = await listUsers(org.admin, { q: "member 2", page: 1 });
    expect(searched.users.map((u) => u.name)).toEqual(["Member 20", "Member 21", "Member 22", "Member 23", "Member 24", "Member 25", "Member 26"]);
    expect(searched).toMatchObject({ total: 7, pageCount: 1 });
  });

  it("lists no password hashes", async () => {
    const org = await createOrg("Fields");
    await createUser(org.admin);
    const { users } = await listUsers(org.admin, { q: "", page: 1 });
    for (const user of users) expect(Object.keys(user)).not.toContain("passwordHash");
  });
});
