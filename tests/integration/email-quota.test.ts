import { describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { resendInvitationAction } from "@/app/(app)/setup/users/actions";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { mailboxTransport } from "@/lib/email/transport";
import { deliverDueEmails } from "@/lib/email/worker";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, inviteUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";
import { reauthenticate } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

/** Fills the last hour of an address's mail up to the per-recipient quota, as earlier sends would have. */
async function fillQuota(orgId: string, to: string) {
  const count = await db().emailMessage.count({ where: { orgId, to: { equals: to, mode: "insensitive" } } });
  const rows = Array.from({ length: env().EMAIL_QUOTA_PER_RECIPIENT - count }, () => ({
    orgId,
    to,
    template: "set-password",
    subject: "Set your password",
    text: "earlier",
    html: "<p>earlier</p>",
  }));
  await db().emailMessage.createMany({ data: rows });
}

describe("email quotas", () => {
  it("refuse the excess to one address with a clear message and an audit row, and change nothing else", async () => {
    const org = await createOrg("Quota");
    const { userId, username } = await inviteUser(org.admin);
    await fillQuota(org.orgId, username);
    const tokensBefore = await db().invitationToken.findMany({ where: { userId }, orderBy: { id: "asc" } });
    const mailBefore = await db().emailMessage.count();

    await actAs(org.adminToken);
    const result = await resendInvitationAction({ userId });
    expect(result).toEqual({
      ok: false,
      code: "email-quota",
      error: "Too many emails went to this address in the last hour. Nothing was changed; try again later.",
      fieldErrors: undefined,
    });
    // The new invitation was not issued: the old link still works, no mail was queued.
    expect(await db().invitationToken.findMany({ where: { userId }, orderBy: { id: "asc" } })).toEqual(tokensBefore);
    expect(await db().emailMessage.count()).toBe(mailBefore);
    const audit = await db().auditEvent.findFirst({ where: { orgId: org.orgId, action: "Email refused: quota reached" } });
    expect(audit).toMatchObject({ actorId: org.adminId, newValue: "set-password (per-recipient hourly quota)" });
  });

  it("count per org: another org's invitations to the same address do not block this one's", async () => {
    const noisy = await createOrg("Noisy");
    const quiet = await createOrg("Quiet");
    const { userId, username } = await inviteUser(quiet.admin);
    // The other org has used up its quota for this address.
    await fillQuota(noisy.orgId, username);
    await actAs(quiet.adminToken);
    expect(await resendInvitationAction({ userId })).toMatchObject({ ok: true });
    // This org's own mail counts whatever the letter case of the address.
    await fillQuota(quiet.orgId, username.toUpperCase());
    expect(await resendInvitationAction({ userId })).toMatchObject({ ok: false, code: "email-quota" });
  });

  it("never refuse a security alert: the change it reports must not be undone", async () => {
    const org = await createOrg("Alerts");
    const user = await createUser(org.admin);
    await fillQuota(org.orgId, user.username);
    const { ctx } = await signIn(user.userId);
    await reauthenticate(ctx);
    expect(await generateRecoveryCodes(await stepUp(ctx))).toHaveLength(10);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "recovery-codes-generated" } })).toBe(1);
  });

  it("deliver codes and security alerts before bulk mail", async () => {
    const org = await createOrg("Priority");
    await db().emailMessage.deleteMany({});
    const old = new Date(Date.now() - 60_000);
    await db().emailMessage.create({
      data: { orgId: org.orgId, to: "bulk@p.test", template: "set-password", subject: "s", text: "t", html: "h", nextAttemptAt: old, createdAt: old },
    });
    await db().emailMessage.create({
      data: { orgId: org.orgId, to: "code@p.test", template: "device-activation-code", priority: 0, subject: "s", text: "t", html: "h" },
    });
    await deliverDueEmails({ transport: mailboxTransport, batchSize: 1 });
    expect((await db().emailMessage.findMany({ where: { state: "SENT" } })).map((m) => m.to)).toEqual(["code@p.test"]);
  });
});
