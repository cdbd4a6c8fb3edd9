import { describe, expect, it, vi } from "vitest";
import { createOrgAction } from "@/app/(auth)/signup/actions";
import { authenticateWithPassword } from "@/lib/auth/login";
import { verifyPassword } from "@/lib/auth/password";
import { db } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { createOrgWithAdmin, SLUG_TAKEN, USERNAME_TAKEN } from "@/lib/orgs/mutations";
import type { SignupInput } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { actAs, cookieSet } from "../support/next-request";
import { requestFromNewIp } from "../support/requests";
import { deviceCookieName } from "@/lib/auth/devices";
import { completePendingLogin, LoginExpiredError, pendingLoginCookieName } from "@/lib/auth/pending-login";
import { resolveSession } from "@/lib/auth/session";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);

useTestDatabase();

let counter = 0;
function signup(overrides: Partial<SignupInput> = {}): SignupInput {
  counter += 1;
  return {
    orgName: `Acme ${counter}`,
    slug: `acme-${counter}-${Date.now().toString(36)}`,
    name: "Ada Lovelace",
    email: `ada.${counter}.${Date.now().toString(36)}@acme.test`,
    password: TEST_PASSWORD,
    ...overrides,
  };
}

async function expectFieldErrors(promise: Promise<unknown>, fieldErrors: Record<string, string>) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(UserFacingError);
  expect((error as UserFacingError).fieldErrors).toEqual(fieldErrors);
}

describe("Create your org", () => {
  it("creates the org and its first admin, who can sign in, and audits it", async () => {
    const input = signup({ email: "Ada.Lovelace@Acme-Signup.Test" });
    const before = await tableCounts();

    const result = await createOrgWithAdmin(input);

    expect(result.username).toBe("ada.lovelace@acme-signup.test");
    const org = await db().org.findUniqueOrThrow({ where: { id: result.orgId } });
    expect(org).toMatchObject({ slug: input.slug, name: input.orgName });
    const admin = await db().user.findUniqueOrThrow({ where: { id: result.userId } });
    expect(admin).toMatchObject({
      orgId: org.id,
      username: "ada.lovelace@acme-signup.test",
      email: "Ada.Lovelace@Acme-Signup.Test",
      name: "Ada Lovelace",
      role: "ADMIN",
      isActive: true,
    });
    expect(admin.passwordHash).not.toContain(TEST_PASSWORD);
    expect(await verifyPassword(TEST_PASSWORD, admin.passwordHash)).toBe(true);
    expect(await verifyPassword("not-the-password", admin.passwordHash)).toBe(false);

    const audit = await db().auditEvent.findMany({ where: { orgId: org.id } });
    expect(audit).toEqual([
      expect.objectContaining({ action: "Created org", actorId: admin.id, actorName: "Ada Lovelace", newValue: `${org.name} (${org.slug})` }),
    ]);
    expect(await tableCounts()).toEqual({ ...before, orgs: before.orgs + 1, users: before.users + 1, auditEvents: before.auditEvents + 1 });

    const login = await authenticateWithPassword(result.username, TEST_PASSWORD, requestFromNewIp());
    expect(login).toMatchObject({ userId: admin.id, orgId: org.id });
  });

  it("refuses a taken slug on the slug field and creates nothing", async () => {
    const first = signup();
    await createOrgWithAdmin(first);
    const before = await tableCounts();

    await expectFieldErrors(createOrgWithAdmin(signup({ slug: first.slug })), { slug: SLUG_TAKEN });

    expect(await tableCounts()).toEqual(before);
  });

  it("refuses an email that is already a username (in any case) on the email field and creates nothing", async () => {
    const first = signup();
    await createOrgWithAdmin(first);
    const before = await tableCounts();

    await expectFieldErrors(createOrgWithAdmin(signup({ email: first.email.toUpperCase() })), { email: USERNAME_TAKEN });

    expect(await tableCounts()).toEqual(before);
    expect(await db().org.count({ where: { name: { startsWith: "Acme" } } })).toBe(before.orgs);
  });

  it("reports a taken slug and a taken email together", async () => {
    const first = signup();
    await createOrgWithAdmin(first);
    const before = await tableCounts();

    await expectFieldErrors(createOrgWithAdmin(signup({ slug: first.slug, email: first.email })), { slug: SLUG_TAKEN, email: USERNAME_TAKEN });

    expect(await tableCounts()).toEqual(before);
  });

  it("two sign-ups racing for one slug create one org, and the loser leaves nothing behind", async () => {
    const slug = signup().slug;
    const before = await tableCounts();

    const outcomes = await Promise.allSettled([createOrgWithAdmin(signup({ slug })), createOrgWithAdmin(signup({ slug }))]);

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await db().org.count({ where: { slug } })).toBe(1);
    expect(await tableCounts()).toEqual({ ...before, orgs: before.orgs + 1, users: before.users + 1, auditEvents: before.auditEvents + 1 });
  });

  it("two sign-ups racing for one email create one admin, and the loser leaves no org behind", async () => {
    const email = signup().email;
    const before = await tableCounts();

    const outcomes = await Promise.allSettled([createOrgWithAdmin(signup({ email })), createOrgWithAdmin(signup({ email }))]);

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await tableCounts()).toEqual({ ...before, orgs: before.orgs + 1, users: before.users + 1, auditEvents: before.auditEvents + 1 });
  });

  it("the loser of a race for a slug gets the slug field error, not an internal error", async () => {
    const slug = signup().slug;
    const outcomes = await Promise.allSettled([createOrgWithAdmin(signup({ slug })), createOrgWithAdmin(signup({ slug }))]);
    const [loser] = outcomes.filter((o) => o.status === "rejected");
    expect((loser!.reason as UserFacingError).fieldErrors).toEqual({ slug: SLUG_TAKEN });
  });

  it("the loser of a race for an email gets the email field error, not an internal error", async () => {
    const email = signup().email;
    const outcomes = await Promise.allSettled([createOrgWithAdmin(signup({ email })), createOrgWithAdmin(signup({ email }))]);
    const [loser] = outcomes.filter((o) => o.status === "rejected");
    expect((loser!.reason as UserFacingError).fieldErrors).toEqual({ email: USERNAME_TAKEN });
  });
});

describe("the sign-up form action", () => {
  it("answers bad fields with field errors and creates nothing", async () => {
    const before = await tableCounts();
    const form = new FormData();
    for (const [key, value] of Object.entries({ orgName: "Acme", slug: "Not A Slug", name: "Ada", email: "ada-at-acme", password: "short" })) {
      form.set(key, value);
    }

    const result = await createOrgAction(form);

    expect(result).toEqual({
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: {
        slug: "Use lowercase letters, digits and single hyphens, e.g. acme-corp.",
        email: "Enter a valid email address.",
        password: "Use at least 12 characters.",
      },
    });
    expect(await tableCounts()).toEqual(before);
  });

  it("signs the new admin in on the browser that created the org, and activates that browser", async () => {
    await actAs(null, "198.51.100.23");
    const input = signup();
    expect(await createOrgAction(input)).toEqual({ ok: true, data: { username: input.email } });
    const admin = await db().user.findUniqueOrThrow({ where: { username: input.email } });

    // The verified pending login becomes a session exactly once.
    const pending = cookieSet(pendingLoginCookieName());
    const { sessionToken } = await completePendingLogin(pending, TEST_REQUEST);
    expect(await resolveSession(sessionToken, TEST_REQUEST)).toMatchObject({ userId: admin.id });
    await expect(completePendingLogin(pending, TEST_REQUEST)).rejects.toBeInstanceOf(LoginExpiredError);

    // The next login from this browser needs no device activation; from another browser it does.
    const device = cookieSet(deviceCookieName());
    expect(await db().activatedDevice.count({ where: { userId: admin.id, ip: "198.51.100.23" } })).toBe(1);
    const again = await authenticateWithPassword(input.email, TEST_PASSWORD, { ...requestFromNewIp(), deviceCookie: device });
    expect(again.next).toBe("complete");
    const elsewhere = await authenticateWithPassword(input.email, TEST_PASSWORD, requestFromNewIp());
    expect(elsewhere).toMatchObject({ next: "verify", needs: { secondFactor: false, deviceActivation: true } });
  });

  it("ignores an org id or role smuggled into the form", async () => {
    const victim = await createOrgWithAdmin(signup());
    const input = signup();
    const result = await createOrgAction({ ...input, orgId: victim.orgId, role: "STANDARD", id: victim.userId });

    expect(result).toEqual({ ok: true, data: { username: input.email } });
    const user = await db().user.findUniqueOrThrow({ where: { username: input.email } });
    expect(user.orgId).not.toBe(victim.orgId);
    expect(user.role).toBe("ADMIN");
    expect(await db().user.count({ where: { orgId: victim.orgId } })).toBe(1);
  });
});
