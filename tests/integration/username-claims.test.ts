import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { RateLimitedError } from "@/lib/errors";
import { completeSignup, startSignup } from "@/lib/orgs/signup";
import { completeInvitation, inspectInvitation, InvitationError } from "@/lib/users/invitations";
import { addUser } from "@/lib/users/mutations";
import { ADD_USER_LIMIT } from "@/lib/users/usernames";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, invitationTokenFor, TEST_PASSWORD } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

// Issue 24 item 3 (DESIGN.md section 1): a username is reserved across orgs
// only once the mailbox it names has been proven; until then an invitation
// holds it in its own org only, and the first confirmation wins.

const newhire = () => `newhire-${crypto.randomBytes(4).toString("hex")}@acme.test`;

/** A free org's admin adds someone else's address as a username, with a contact email of their own, and sets its password. */
async function squat(username: string) {
  const squatter = await createOrg("Squatter");
  const contact = `squatter-${crypto.randomBytes(4).toString("hex")}@evil.test`;
  const { userId } = await addUser(squatter.admin, { name: "Squatted", username, email: contact, role: "STANDARD" });
  await completeInvitation(await invitationTokenFor(contact), TEST_PASSWORD);
  return { squatter, userId };
}

async function signUpAs(email: string) {
  const request = requestFromNewIp();
  const slug = `owner-${crypto.randomBytes(4).toString("hex")}`;
  const started = await startSignup({ orgName: "Owner Co", slug, name: "New Hire", email, password: "owners-password-0789" }, request);
  const mail = await db().emailMessage.findFirstOrThrow({ where: { to: email, template: "signup-code" }, orderBy: { createdAt: "desc" } });
  return completeSignup(started.token, /^(\d{6})$/m.exec(mail.text)![1]!, request);
}

describe("username squatting", () => {
  it("a squat does not block the address's owner from signing up; their login reaches their own org, the squatter's no longer works", async () => {
    const username = newhire();
    const { userId: squattedId } = await squat(username);

    const owner = await signUpAs(username);

    expect(owner.username).toBe(username);
    const login = await authenticateWithPassword(username, "owners-password-0789", requestFromNewIp());
    expect(login).toMatchObject({ userId: owner.userId, orgId: owner.orgId });
    // The squatter's password no longer opens anything under that name.
    await expect(authenticateWithPassword(username, TEST_PASSWORD, requestFromNewIp())).rejects.toThrow("Check your username and password");
    expect(await db().user.findUniqueOrThrow({ where: { id: squattedId } })).toMatchObject({ claimedUsername: null });
  });

  it("a squat does not block the owner's org from adding them; the invitation sent to the address proves it and wins", async () => {
    const username = newhire();
    await squat(username);
    const acme = await createOrg("Acme");

    const { userId } = await addUser(acme.admin, { name: "New Hire", username, email: username, role: "STANDARD" });
    await completeInvitation(await invitationTokenFor(username), TEST_PASSWORD);

    expect(await authenticateWithPassword(username, TEST_PASSWORD, requestFromNewIp())).toMatchObject({ userId, orgId: acme.orgId });
  });

  it("the first confirmation wins; the losing invitation is told so when it is opened and when it is used", async () => {
    const username = newhire();
    const first = await createOrg("First");
    const second = await createOrg("Second");
    const losing = await addUser(first.admin, { name: "New Hire", username, email: username, role: "STANDARD" });
    const losingToken = await invitationTokenFor(username);
    const winning = await addUser(second.admin, { name: "New Hire", username, email: username, role: "STANDARD" });
    await completeInvitation(await invitationTokenFor(username), TEST_PASSWORD);

    expect(await inspectInvitation(losingToken)).toEqual({ ok: false, problem: "taken", purpose: "invitation" });
    const error = await rejectionOf(completeInvitation(losingToken, TEST_PASSWORD));
    expect(error).toBeInstanceOf(InvitationError);
    expect(error.message).toBe("This username belongs to someone else");
    expect(await db().user.findUniqueOrThrow({ where: { id: losing.userId } })).toMatchObject({ passwordHash: null, claimedUsername: null });
    expect(await authenticateWithPassword(username, TEST_PASSWORD, requestFromNewIp())).toMatchObject({ userId: winning.userId });
  });

  it("an invitation mailed to another address cannot take a name someone already logs in with", async () => {
    const username = newhire();
    await squat(username);
    const other = await createOrg("Other");
    await addUser(other.admin, { name: "New Hire", username, email: "personal@mail.test", role: "STANDARD" });
    const token = await invitationTokenFor("personal@mail.test");

    expect(await inspectInvitation(token)).toEqual({ ok: false, problem: "held", purpose: "invitation" });
    await expect(completeInvitation(token, TEST_PASSWORD)).rejects.toThrow("This username is already in use");
  });
});

describe("Add user", () => {
  it("answers the same whether or not the username exists in another org", async () => {
    const elsewhere = await createOrg("Elsewhere");
    const taken = await createUser(elsewhere.admin);
    const org = await createOrg("Mine");
    const before = await tableCounts();

    const forTaken = await addUser(org.admin, { name: "Probe", username: taken.username, email: taken.username, role: "STANDARD" });
    const forFree = await addUser(org.admin, { name: "Probe", username: newhire(), email: "probe@mail.test", role: "STANDARD" });

    expect(Object.keys(forTaken)).toEqual(Object.keys(forFree));
    expect(await tableCounts()).toMatchObject({ users: before.users + 2 });
    // The other org's user is untouched and still logs in.
    expect(await authenticateWithPassword(taken.username, TEST_PASSWORD, requestFromNewIp())).toMatchObject({ userId: taken.userId });
  });

  it("is rate limited per admin", async () => {
    const org = await createOrg("Busy");
    for (let i = 0; i < ADD_USER_LIMIT.limit; i++) {
      await addUser(org.admin, { name: `User ${i}`, username: newhire(), email: `user-${i}@mail.test`, role: "STANDARD" });
    }
    const error = await rejectionOf(addUser(org.admin, { name: "One more", username: newhire(), email: "one-more@mail.test", role: "STANDARD" }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.message).toMatch(/^You can add at most 50 users an hour\. Try again in \d+ minutes?\.$/);
    // Another admin of another org is not affected.
    const other = await createOrg("Calm");
    await expect(addUser(other.admin, { name: "Fine", username: newhire(), email: "fine@mail.test", role: "STANDARD" })).resolves.toBeTruthy();
  });
});
