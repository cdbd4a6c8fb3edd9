import { afterEach, describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { env, resetEnvCache } from "@/lib/env";
import { confirmCompromiseLink } from "@/lib/users/compromise";
import { changeOwnPassword } from "@/lib/users/password-changes";
import { adminResetPassword, requestPasswordReset } from "@/lib/users/password-reset";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, signIn, TEST_REQUEST } from "../support/factories";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

// Issue 24 item 7: mail an anonymous client can make an org send ("Forgot your
// password?") has a budget of its own, apart from an admin's mail and from the
// reset that follows "This wasn't me"; and a refused email never undoes the
// containment it was part of.

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

function lowerQuotas(perRecipient: number, perOrg: number) {
  vi.stubEnv("EMAIL_QUOTA_PER_RECIPIENT", String(perRecipient));
  vi.stubEnv("EMAIL_QUOTA_PER_ORG", String(perOrg));
  resetEnvCache();
}

const resetsTo = (to: string) => db().emailMessage.count({ where: { to, template: "password-reset" } });

/** The "This wasn't me" token of the newest "password changed" email to an address. */
async function passwordChangedReportToken(to: string): Promise<string> {
  const message = await db().emailMessage.findFirstOrThrow({ where: { to, template: "password-changed" }, orderBy: { createdAt: "desc" } });
  return /\/wasnt-me\/([A-Za-z0-9_-]{43})/.exec(message.text)![1]!;
}

describe("email budgets", () => {
  it("anonymous reset requests that use up a user's and the org's quota do not stop an admin's reset or the one after “This wasn't me”", async () => {
    const org = await createOrg("Budgets");
    const victim = await createUser(org.admin);
    const bystander = await createUser(org.admin);
    lowerQuotas(2, 3);

    // The attacker asks for resets from the login page until the quotas are used up: 2 to the victim, 1 to a bystander.
    await requestPasswordReset(victim.username, requestFromNewIp(), { minDurationMs: 0 });
    await requestPasswordReset(victim.username, requestFromNewIp(), { minDurationMs: 0 });
    await requestPasswordReset(bystander.username, requestFromNewIp(), { minDurationMs: 0 });
    await requestPasswordReset(victim.username, requestFromNewIp(), { minDurationMs: 0 });
    await requestPasswordReset(bystander.username, requestFromNewIp(), { minDurationMs: 0 });
    expect(await resetsTo(victim.username)).toBe(2);
    expect(await resetsTo(bystander.username)).toBe(1);

    // The admin's reset still ends the victim's sessions and mails them a link.
    await signIn(victim.userId);
    await adminResetPassword(await stepUp(org.admin), victim.userId);
    expect(await db().user.findUniqueOrThrow({ where: { id: victim.userId } })).toMatchObject({ passwordHash: null });
    expect(await db().session.count({ where: { userId: victim.userId, revokedAt: null } })).toBe(0);
    expect(await resetsTo(victim.username)).toBe(3);

    // A user who reports a password change they did not make is still mailed the link to choose a new one.
    const { ctx } = await signIn(bystander.userId, { fresh: true });
    await changeOwnPassword(await stepUp(ctx), "another-password-0456");
    const result = await confirmCompromiseLink(await passwordChangedReportToken(bystander.username), TEST_REQUEST);
    expect(result).toEqual({ resetEmailed: true, recovery: "self-service" });
    expect(await resetsTo(bystander.username)).toBe(2);
  });

  it("an admin's reset whose email the quota refuses still stops the old password and every session, and says the email was not sent", async () => {
    const org = await createOrg("Refused");
    const user = await createUser(org.admin);
    await signIn(user.userId);
    // The admin's own mail to this address has used up its hour.
    await db().emailMessage.createMany({
      data: Array.from({ length: env().EMAIL_QUOTA_PER_RECIPIENT }, () => ({
        orgId: org.orgId,
        to: user.username,
        template: "set-password",
        subject: "Set your password",
        text: "earlier",
        html: "<p>earlier</p>",
      })),
    });

    const error = await rejectionOf(adminResetPassword(await stepUp(org.admin), user.userId));

    expect(error.message).toBe(
      `User ${user.username}'s password was reset and their sessions ended, but the email with a link to choose a new one was not sent: too many emails went to this address in the last hour. Use Reset password again later.`,
    );
    expect(await db().user.findUniqueOrThrow({ where: { id: user.userId } })).toMatchObject({ passwordHash: null });
    expect(await db().session.count({ where: { userId: user.userId, revokedAt: null } })).toBe(0);
    expect(await resetsTo(user.username)).toBe(0);
  });
});
