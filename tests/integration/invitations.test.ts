import { describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { resendInvitationAction } from "@/app/(app)/setup/users/actions";
import { parseInput } from "@/lib/auth/action";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { completeInvitation, inspectInvitation, INVITATION_TTL_MS, InvitationError } from "@/lib/users/invitations";
import { addUser, resendInvitation, setUserActive } from "@/lib/users/mutations";
import { setPasswordSchema } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, invitationTokenFor, inviteUser, signIn } from "../support/factories";
import { actAs, isForbiddenSignal } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

const NEW_PASSWORD = "my-own-new-password";

/** Everything an invitation attempt could change for a user. */
async function snapshot(userId: string) {
  const [user, tokens, emails] = await Promise.all([
    db().user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true, isActive: true } }),
    db().invitationToken.findMany({ where: { userId }, select: { id: true, usedAt: true }, orderBy: { createdAt: "asc" } }),
    db().emailMessage.count(),
  ]);
  return { user, tokens, emails };
}

describe("adding a user", () => {
  it("creates them without a password and queues one Set your password email, in the org, with an audit row", async () => {
    const org = await createOrg("Invite");
    const username = `new-${Date.now()}@invite.test`;
    const { userId } = await addUser(org.admin, { name: "Nia New", username, email: username, role: "STANDARD" });

    const user = await db().user.findUniqueOrThrow({ where: { id: userId } });
    expect(user).toMatchObject({ orgId: org.orgId, passwordHash: null, isActive: true });
    const tokens = await db().invitationToken.findMany({ where: { userId } });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.expiresAt.getTime() - tokens[0]!.createdAt.getTime()).toBeCloseTo(INVITATION_TTL_MS, -4);
    const emails = await db().emailMessage.findMany({ where: { to: username } });
    expect(emails).toMatchObject([{ orgId: org.orgId, template: "set-password", subject: "Set your password", state: "QUEUED" }]);
    expect(emails[0]!.text).toContain("Invite Admin added you to Invite on Gatehouse");
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Created user", targetId: userId } })).toBe(1);

    // No password yet: the account cannot be logged into.
    await expect(authenticateWithPassword(username, TEST_PASSWORD, TEST_REQUEST)).rejects.toThrow("Check your username and password");
  });
});

describe("the set-password link", () => {
  it("sets the password once; the same link then says it was used and changes nothing", async () => {
    const org = await createOrg("Once");
    const { userId, username } = await inviteUser(org.admin);
    const token = await invitationTokenFor(username);
    expect(await inspectInvitation(token)).toEqual({ ok: true, name: `User ${username}`, username, orgName: "Once", purpose: "invitation" });

    await expect(completeInvitation(token, NEW_PASSWORD)).resolves.toEqual({ username });
    await expect(authenticateWithPassword(username, NEW_PASSWORD, TEST_REQUEST)).resolves.toMatchObject({ userId });
    expect(await db().auditEvent.count({ where: { action: "Set password from invitation", targetId: userId } })).toBe(1);

    const before = await snapshot(userId);
    expect(await inspectInvitation(token)).toEqual({ ok: false, problem: "used", purpose: "invitation" });
    await expect(completeInvitation(token, "an-attackers-password")).rejects.toThrow("This link has already been used");
    expect(await snapshot(userId)).toEqual(before);
    await expect(authenticateWithPassword(username, NEW_PASSWORD, TEST_REQUEST)).resolves.toMatchObject({ userId });
  });

  it("works for one of two submissions racing with the same link", async () => {
    const org = await createOrg("Race");
    const { username } = await inviteUser(org.admin);
    const token = await invitationTokenFor(username);
    const results = await Promise.allSettled([completeInvitation(token, "first-password-123"), completeInvitation(token, "second-password-123")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected");
    expect(rejected?.status === "rejected" && rejected.reason).toBeInstanceOf(InvitationError);
  });

  it("has expired after 72 hours and then changes nothing", async () => {
    const org = await createOrg("Late");
    const { userId, username } = await inviteUser(org.admin);
    const token = await invitationTokenFor(username);
    const later = new Date(Date.now() + INVITATION_TTL_MS + 1000);
    const before = await snapshot(userId);
    expect(await inspectInvitation(token, later)).toEqual({ ok: false, problem: "expired", purpose: "invitation" });
    await expect(completeInvitation(token, NEW_PASSWORD, later)).rejects.toThrow("This link has expired");
    expect(await snapshot(userId)).toEqual(before);
  });

  it("refuses malformed, unknown and foreign-looking tokens with one clear answer, changing nothing", async () => {
    const org = await createOrg("Junk");
    const { userId, username } = await inviteUser(org.admin);
    const real = await invitationTokenFor(username);
    const before = await snapshot(userId);
    const junk = ["", "abc", "../../etc/passwd", "%00", `${real}x`, real.slice(1), real.replace(/./, "$"), "A".repeat(43), "x".repeat(5000)];
    for (const token of junk) {
      expect(await inspectInvitation(token), token.slice(0, 50)).toEqual({ ok: false, problem: "invalid", purpose: "invitation" });
      await expect(completeInvitation(token, NEW_PASSWORD)).rejects.toThrow("This link isn't valid");
    }
    expect(await snapshot(userId)).toEqual(before);
  });

  it("refuses a short, oversized or mistyped password and an oversized token on the form, changing nothing", async () => {
    const org = await createOrg("Form");
    const { userId, username } = await inviteUser(org.admin);
    const token = await invitationTokenFor(username);
    const before = await snapshot(userId);
    const cases: [Record<string, string>, string][] = [
      [{ token, password: "short", confirmPassword: "short" }, "password"],
      [{ token, password: "p".repeat(257), confirmPassword: "p".repeat(257) }, "password"],
      [{ token, password: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}!` }, "confirmPassword"],
      [{ token: "t".repeat(129), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }, "token"],
    ];
    for (const [input, field] of cases) {
      await expect(parseInput(setPasswordSchema, input)).rejects.toMatchObject({ fieldErrors: { [field]: expect.any(String) } });
    }
    expect(await snapshot(userId)).toEqual(before);
    expect(await inspectInvitation(token)).toMatchObject({ ok: true });
  });

  it("is not valid for a deactivated user", async () => {
    const org = await createOrg("Off");
    const { userId, username } = await inviteUser(org.admin);
    const token = await invitationTokenFor(username);
    await setUserActive(await stepUp(org.admin), userId, false);
    const before = await snapshot(userId);
    await expect(completeInvitation(token, NEW_PASSWORD)).rejects.toThrow("This link isn't valid");
    expect(await snapshot(userId)).toEqual(before);
  });
});

describe("sending a new invitation", () => {
  it("replaces the old link, which then says a newer one was sent", async () => {
    const org = await createOrg("Again");
    const { userId, username } = await inviteUser(org.admin);
    const first = await invitationTokenFor(username);
    await resendInvitation(org.admin, userId);
    const second = await invitationTokenFor(username);
    expect(second).not.toBe(first);
    expect(await db().emailMessage.count({ where: { to: username, template: "set-password" } })).toBe(2);
    await expect(inspectInvitation(first)).resolves.toMatchObject({ ok: false, problem: "replaced" });
    await expect(completeInvitation(first, NEW_PASSWORD)).rejects.toThrow("A newer link was sent; use the latest email");
    await completeInvitation(second, NEW_PASSWORD);
    // Once used, the newest link says so; the replaced one still says it was replaced.
    await expect(completeInvitation(second, NEW_PASSWORD)).rejects.toThrow("This link has already been used");
    await expect(completeInvitation(first, NEW_PASSWORD)).rejects.toThrow("A newer link was sent; use the latest email");
    await expect(authenticateWithPassword(username, NEW_PASSWORD, TEST_REQUEST)).resolves.toMatchObject({ userId });
  });

  it("is refused for another org's user (not found), for standard users and once a password is set; nothing is queued", async () => {
    const acme = await createOrg("Acme");
    const globex = await createOrg("Globex");
    const invited = await inviteUser(acme.admin);
    const active = await createUser(acme.admin);
    const standard = await signIn(active.userId);
    const emails = await db().emailMessage.count();

    await expect(resendInvitation(globex.admin, invited.userId)).rejects.toBeInstanceOf(NotFoundError);
    // A standard user cannot even call the service (it takes an AdminContext); at the endpoint they get a 403.
    await actAs(standard.token);
    expect(isForbiddenSignal(await resendInvitationAction({ userId: invited.userId }).catch((error: unknown) => error))).toBe(true);
    await expect(resendInvitation(acme.admin, active.userId)).rejects.toThrow("This user has already set a password.");
    await expect(resendInvitation(acme.admin, "00000000-0000-4000-8000-000000000000")).rejects.toBeInstanceOf(UserFacingError);
    expect(await db().emailMessage.count()).toBe(emails);
  });
});
