import { describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import HomePage from "@/app/(app)/home/page";
import AdvancedUserDetailsPage from "@/app/(app)/settings/advanced/page";
import UsersPage from "@/app/(app)/setup/users/page";
import { db } from "@/lib/db/client";
import { LAST_METHOD_REFUSAL, mfaStatus } from "@/lib/verification/methods";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { removeOwnKey } from "@/lib/webauthn/keys";
import { MAX_KEYS_PER_USER } from "@/lib/webauthn/settings";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { proveMailbox } from "../support/enrolment-proof";
import { contextOf, createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

/** Where a redirect() signal points, or null for anything else. */
async function redirectOf(render: () => Promise<unknown>): Promise<string | null> {
  try {
    await render();
    return null;
  } catch (error) {
    const digest = String((error as { digest?: unknown }).digest ?? "");
    return digest.startsWith("NEXT_REDIRECT") ? digest.split(";")[2]! : null;
  }
}

async function requireMfa(orgId: string, from: Date | null = null) {
  await setOrgSettings(orgId, {});
  await db().orgSettings.update({ where: { orgId }, data: { requireMfa: true, mfaRequiredFrom: from } });
}

describe("Require multi-factor authentication", () => {
  it("sends a user without a second factor to enrolment from every page but Advanced User Details", async () => {
    const org = await createOrg("Mfa");
    await requireMfa(org.orgId);
    const user = await createUser(org.admin);
    const session = await signIn(user.userId);
    await actAs(session.token);
    expect(await redirectOf(() => HomePage())).toBe("/settings/advanced?enrol=mfa");
    expect(await redirectOf(() => AdvancedUserDetailsPage())).toBeNull();
    await actAs(org.adminToken);
    expect(await redirectOf(() => UsersPage({ searchParams: Promise.resolve({}) }))).toBe("/settings/advanced?enrol=mfa");
  });

  it("lets the user through once they have a key; before the 'MFA required from' date it only counts the days", async () => {
    const org = await createOrg("Grace");
    const today = new Date();
    // "MFA required from" is a UTC day: four days from today's midnight leaves 4 days (rounded up).
    await requireMfa(org.orgId, new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 4)));
    const user = await createUser(org.admin);
    const { ctx, token } = await signIn(user.userId);
    expect(ctx.mfa).toMatchObject({ required: true, enrolmentDue: false, graceDaysLeft: 4 });
    expect(await mfaStatus(ctx)).toEqual(ctx.mfa);
    await actAs(token);
    expect(await redirectOf(() => HomePage())).toBeNull();

    await db().orgSettings.update({ where: { orgId: org.orgId }, data: { mfaRequiredFrom: new Date(Date.now() - 86_400_000) } });
    expect(await redirectOf(() => HomePage())).toBe("/settings/advanced?enrol=mfa");
    // Enrolment is due now: the first key counts only after this session proved the mailbox.
    const enrolling = await contextOf(token);
    expect(enrolling.mfa.enrolmentDue).toBe(true);
    expect(await rejectionOf(keyResponseFor(enrolling))).toMatchObject({ code: "mailbox-proof-required" });
    await proveMailbox(enrolling);
    await reauthenticate(enrolling);
    const { response } = await keyResponseFor(enrolling, { attestation: "packed" });
    await finishKeyRegistration(await registering(enrolling), response);
    expect(await redirectOf(() => HomePage())).toBeNull();
  });

  it("refuses removing the last second factor, with the reason, and keeps it", async () => {
    const org = await createOrg("Last");
    await requireMfa(org.orgId);
    const user = await createUser(org.admin);
    const { ctx } = await signIn(user.userId);
    await proveMailbox(ctx);
    await reauthenticate(ctx);
    const first = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    const second = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    await removeOwnKey(await stepUp(ctx), first.id);
    expect((await rejectionOf(stepUp(ctx).then((c) => removeOwnKey(c, second.id)))).message).toBe(LAST_METHOD_REFUSAL);
    expect(await db().securityKey.count({ where: { id: second.id } })).toBe(1);
  });

  it("serialises parallel removals: of two keys removed at once, exactly one goes", async () => {
    const org = await createOrg("Race");
    await requireMfa(org.orgId);
    const user = await createUser(org.admin);
    const { ctx } = await signIn(user.userId);
    await proveMailbox(ctx);
    await reauthenticate(ctx);
    const first = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    const second = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    const outcomes = await Promise.allSettled([stepUp(ctx).then((c) => removeOwnKey(c, first.id)), stepUp(ctx).then((c) => removeOwnKey(c, second.id))]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason.message).toBe(LAST_METHOD_REFUSAL);
    expect(await db().securityKey.count({ where: { userId: user.userId } })).toBe(1);
  });

  it("serialises the key cap: two registrations racing for the last slot, exactly one is stored", async () => {
    const org = await createOrg("Cap");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const { ctx } = await signIn(user.userId);
    await reauthenticate(ctx);
    for (let i = 0; i < MAX_KEYS_PER_USER - 1; i++) await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    const a = await keyResponseFor(ctx);
    const b = await keyResponseFor(ctx);
    const outcomes = await Promise.allSettled([
      registering(ctx).then((c) => finishKeyRegistration(c, a.response)),
      registering(ctx).then((c) => finishKeyRegistration(c, b.response)),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await db().securityKey.count({ where: { userId: user.userId } })).toBe(MAX_KEYS_PER_USER);
  });
});
