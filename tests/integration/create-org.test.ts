import { describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verifyPassword } from "@/lib/auth/passwords/password";
import { db } from "@/lib/db/client";
import { UserFacingError } from "@/lib/errors";
import { createOrgWithAdmin, SLUG_TAKEN, USERNAME_TAKEN } from "@/lib/orgs/mutations";
import type { SignupInput } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { TEST_PASSWORD } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

// createOrgWithAdmin: the org and its admin at once, as the test factories
// create them. Self-service sign-up proves the email first (signup.test.ts)
// and then stores the same rows through the same insert.

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

describe("creating an org and its admin at once", () => {
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
