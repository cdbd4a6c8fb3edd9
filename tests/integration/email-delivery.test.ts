import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { hashToken } from "@/lib/crypto/tokens";
import { db } from "@/lib/db/client";
import { smtpTransport, type MailTransport } from "@/lib/email/transport";
import { deliverDueEmails, GIVE_UP_AFTER_MS, retryDelayMs, SECRET_REMOVED } from "@/lib/email/worker";
import { completeInvitation, inspectInvitation } from "@/lib/users/invitations";
import { useTestDatabase } from "../support/database";
import { TEST_REQUEST, createOrg, inviteUser } from "../support/factories";
import { TEST_SMTP_PASSWORD, TestSmtpServer } from "../support/test-smtp";

useTestDatabase();
const smtp = new TestSmtpServer();
const seconds = (n: number) => n * 1000;

beforeAll(async () => {
  await smtp.start(0);
});
afterAll(async () => {
  await smtp.stop();
});
beforeEach(async () => {
  // Each test starts from an empty outbox and a running server.
  await db().emailMessage.deleteMany({});
  await smtp.start();
});

async function outboxRow(to: string) {
  return db().emailMessage.findFirstOrThrow({ where: { to } });
}

describe("delivering the invitation over SMTP", () => {
  it("arrives with the right recipient, subject, text and HTML parts, and its link sets the password", async () => {
    const org = await createOrg("Mailco");
    const { username } = await inviteUser(org.admin);
    expect(await outboxRow(username)).toMatchObject({ state: "QUEUED", attempts: 0, orgId: org.orgId, template: "set-password" });

    const report = await deliverDueEmails({ transport: smtpTransport(smtp.url) });
    expect(report).toMatchObject({ claimed: 1, sent: 1 });

    const [mail, ...more] = smtp.mailTo(username);
    expect(more).toHaveLength(0);
    const parsed = mail!.parsed;
    expect(parsed.subject).toBe("Set your password");
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : "").toBe(username);
    expect(parsed.from?.text).toContain("no-reply@gatehouse.local");
    const link = /http:\/\/localhost:3000\/set-password\/[A-Za-z0-9_-]{43}/.exec(parsed.text ?? "")?.[0];
    expect(link).toBeDefined();
    expect(parsed.text).toContain(`Username: ${username}`);
    expect(parsed.html).toContain(`href="${link}"`);
    expect(parsed.html).toContain("Set your password");

    const row = await outboxRow(username);
    expect(row).toMatchObject({ state: "SENT", attempts: 1, lastError: null, providerMessageId: parsed.messageId });
    expect(row.sentAt).toBeInstanceOf(Date);
    // Delivered: the outbox no longer keeps the link readable; the Email Log keeps the metadata.
    expect(row).toMatchObject({ text: SECRET_REMOVED, subject: "Set your password", to: username, template: "set-password" });
    expect(row.html).not.toContain("/set-password/");

    // The link works: it names this user, and sets the password they then log in with.
    const token = link!.split("/").at(-1)!;
    expect(await db().invitationToken.count({ where: { tokenHash: token } })).toBe(0);
    expect(await db().invitationToken.count({ where: { tokenHash: hashToken(token) } })).toBe(1);
    expect(await inspectInvitation(token)).toMatchObject({ ok: true, username });
    await completeInvitation(token, "a-brand-new-password");
    await expect(authenticateWithPassword(username, "a-brand-new-password", TEST_REQUEST)).resolves.toMatchObject({ orgId: org.orgId });
  });
});

describe("when SMTP is down", () => {
  it("keeps the message queued with attempts and error, then delivers it exactly once when SMTP is back", async () => {
    const org = await createOrg("Outage");
    const { username } = await inviteUser(org.admin);
    const transport = smtpTransport(smtp.url);
    await smtp.stop();

    const t0 = new Date();
    expect(await deliverDueEmails({ transport, now: () => t0 })).toMatchObject({ claimed: 1, retrying: 1, sent: 0 });
    let row = await outboxRow(username);
    expect(row).toMatchObject({ state: "RETRYING", attempts: 1, sentAt: null });
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    expect(row.lastError).not.toContain(TEST_SMTP_PASSWORD);
    expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + seconds(30));

    // Not due yet: nothing is tried.
    expect(await deliverDueEmails({ transport, now: () => new Date(t0.getTime() + seconds(10)) })).toMatchObject({ claimed: 0 });

    const t1 = new Date(t0.getTime() + seconds(31));
    expect(await deliverDueEmails({ transport, now: () => t1 })).toMatchObject({ retrying: 1 });
    row = await outboxRow(username);
    expect(row).toMatchObject({ state: "RETRYING", attempts: 2 });
    expect(row.nextAttemptAt.getTime()).toBe(t1.getTime() + seconds(60));
    expect(smtp.mailTo(username)).toHaveLength(0);

    await smtp.start();
    const t2 = new Date(t1.getTime() + seconds(61));
    expect(await deliverDueEmails({ transport, now: () => t2 })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await deliverDueEmails({ transport, now: () => new Date(t2.getTime() + GIVE_UP_AFTER_MS) })).toMatchObject({ claimed: 0 });
    expect(smtp.mailTo(username)).toHaveLength(1);
    expect(await outboxRow(username)).toMatchObject({ state: "SENT", attempts: 3, lastError: null });
  });

  it("backs off from 30 s to at most an hour, then marks the message failed after 24 hours with its last error", async () => {
    const org = await createOrg("Gone");
    const { username } = await inviteUser(org.admin);
    const transport = smtpTransport("smtp://nobody:secret-pass@127.0.0.1:1");
    const delays: number[] = [];
    let row = await outboxRow(username);
    let at = new Date();
    while (row.state !== "FAILED" && delays.length < 100) {
      await deliverDueEmails({ transport, now: () => at });
      row = await outboxRow(username);
      delays.push((row.nextAttemptAt.getTime() - at.getTime()) / 1000);
      at = row.nextAttemptAt;
    }
    expect(delays.slice(0, 9)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    expect(row.state).toBe("FAILED");
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    expect(row.lastError).not.toContain("secret-pass");
    expect(row.attempts).toBe(delays.length);
    // The failing attempt is the first one at or after the 24-hour mark.
    const triedFor = at.getTime() - retryDelayMs(row.attempts) - row.createdAt.getTime();
    expect(triedFor).toBeGreaterThanOrEqual(GIVE_UP_AFTER_MS);
    expect(triedFor).toBeLessThan(GIVE_UP_AFTER_MS + retryDelayMs(row.attempts) + seconds(5));
    expect(await deliverDueEmails({ transport, now: () => new Date(at.getTime() + GIVE_UP_AFTER_MS) })).toMatchObject({ claimed: 0 });
  });

  it("picks up a message again when the worker that claimed it died before finishing", async () => {
    const org = await createOrg("Crash");
    const { username } = await inviteUser(org.admin);
    const claimedAt = new Date(Date.now() - seconds(600));
    await db().emailMessage.updateMany({ where: { to: username }, data: { state: "SENDING", attempts: 1, nextAttemptAt: claimedAt } });
    expect(await deliverDueEmails({ transport: smtpTransport(smtp.url) })).toMatchObject({ claimed: 1, sent: 1 });
    expect(await outboxRow(username)).toMatchObject({ state: "SENT", attempts: 2 });
    expect(smtp.mailTo(username)).toHaveLength(1);
  });

  it("gives up on a send the mail server never answers, so one stalled message cannot hold the worker or the mail behind it", async () => {
    const org = await createOrg("Stall");
    const first = await inviteUser(org.admin);
    const second = await inviteUser(org.admin);
    const stalled = new Set<string>();
    const transport: MailTransport = {
      kind: "smtp",
      // The first message's server takes the data and never replies; the next one answers at once.
      send: (mail) => {
        if (mail.to === first.username) {
          stalled.add(mail.messageId);
          return new Promise(() => undefined);
        }
        return Promise.resolve({ messageId: mail.messageId });
      },
      close: () => undefined,
    };
    const report = await deliverDueEmails({ transport, sendTimeoutMs: 200 });
    expect(report).toMatchObject({ claimed: 2, sent: 1, retrying: 1 });
    expect(stalled.size).toBe(1);
    const row = await outboxRow(first.username);
    expect(row).toMatchObject({ state: "RETRYING", attempts: 1 });
    expect(row.lastError).toMatch(/did not answer within/);
    expect(await outboxRow(second.username)).toMatchObject({ state: "SENT" });
  });
});

it("uses retryDelayMs as documented: 30 s doubling, capped at one hour", () => {
  expect([1, 2, 3, 8, 9, 50].map((n) => retryDelayMs(n) / 1000)).toEqual([30, 60, 120, 3600, 3600, 3600]);
  // A 10-minute code is retried at least once a minute: it must not expire waiting in the queue.
  expect([1, 2, 3, 9].map((n) => retryDelayMs(n, 30_000, 10 * 60_000) / 1000)).toEqual([30, 60, 60, 60]);
});

describe("secrets in the outbox", () => {
  it("are blanked once they expire, delivered or not, and an expired one is never sent", async () => {
    const org = await createOrg("Expiry");
    const { username } = await inviteUser(org.admin);
    const queued = await outboxRow(username);
    expect(queued.text).toContain("/set-password/");
    // 72 hours later the link is worthless: not delivered, and not kept.
    const later = new Date(queued.createdAt.getTime() + 72 * 3_600_000 + 1_000);
    const report = await deliverDueEmails({ transport: smtpTransport(smtp.url), now: () => later });
    expect(report.claimed).toBe(0);
    expect(smtp.mailTo(username)).toHaveLength(0);
    expect(await outboxRow(username)).toMatchObject({
      state: "FAILED",
      text: SECRET_REMOVED,
      lastError: "The link or code expired before it could be delivered.",
    });
  });

  it("keeps messages without a secret as they were", async () => {
    const org = await createOrg("Plain");
    await db().emailMessage.deleteMany({});
    await db().emailMessage.create({
      data: {
        orgId: org.orgId,
        template: "security-key-removed-by-admin",
        to: "plain@plain.test",
        subject: "An admin removed a security key from your Gatehouse account",
        text: "hello",
        html: "<p>hello</p>",
      },
    });
    await deliverDueEmails({ transport: smtpTransport(smtp.url) });
    expect(await outboxRow("plain@plain.test")).toMatchObject({ state: "SENT", text: "hello" });
  });
});
