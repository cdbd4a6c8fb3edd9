import crypto from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { env, resetEnvCache } from "@/lib/env";
import { mailboxTransport } from "@/lib/email/transport";
import { deliverDueEmails } from "@/lib/email/worker";
import { addUser } from "@/lib/users/mutations";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { useTestDatabase } from "../support/database";
import { createOrg } from "../support/factories";

useTestDatabase();

// Issue 24 item 15: security alerts are never refused (that would undo the
// change they report), and sign-up creates orgs freely, so one person could
// still send an address any number of them. Past a cap per recipient address
// per hour, each org's newest alert to that address waits for the hour's end
// and its older ones are folded into one digest.

const HOUR = 60 * 60_000;

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

function capAlerts(perHour: number) {
  vi.stubEnv("EMAIL_ALERT_CAP_PER_RECIPIENT", String(perHour));
  resetEnvCache();
}

/** One worker pass after another until nothing is due at `at`. */
async function deliverAll(at: Date) {
  for (let pass = 0; pass < 20; pass++) {
    if ((await deliverDueEmails({ transport: mailboxTransport, batchSize: 5, now: () => at })).claimed === 0) return;
  }
  throw new Error("deliverAll: still claiming after 20 passes");
}

const alertsTo = (to: string, where: Record<string, unknown> = {}) =>
  db().emailMessage.findMany({ where: { to, template: { in: ["temporary-code-issued", "security-alerts-digest"] }, ...where }, orderBy: { createdAt: "asc" } });

/** An org whose admin adds users with the victim's address as contact email and issues each of them temporary codes: one alert each. */
async function floodFrom(name: string, victim: string, users: number, codesEach: number) {
  const org = await createOrg(name);
  const admin = await stepUp(org.admin);
  for (let u = 0; u < users; u++) {
    const { userId } = await addUser(org.admin, {
      name: `Decoy ${u}`,
      username: `decoy-${u}-${crypto.randomBytes(3).toString("hex")}@${org.slug}.test`,
      email: victim,
      role: "STANDARD",
    });
    for (let c = 0; c < codesEach; c++) await issueTemporaryCode(admin, userId, 1);
  }
  return { ...org, name };
}

describe("the per-recipient alert cap", () => {
  it("one person's orgs cannot flood an address: past the cap each org's newest alert waits for the hour's end, its older ones fold into one digest", async () => {
    capAlerts(3);
    const victim = `victim-${crypto.randomBytes(4).toString("hex")}@mail.test`;
    const a = await floodFrom("Flood A", victim, 2, 3);
    const b = await floodFrom("Flood B", victim, 2, 3);
    expect(await alertsTo(victim)).toHaveLength(12);

    const now = new Date();
    await deliverAll(now);

    // Within the hour: the cap (all three from A, the first to be sent), then only B's first alert: each org's first goes at once.
    expect(await alertsTo(victim, { state: "SENT" })).toHaveLength(4);
    expect(await alertsTo(victim, { state: "SENT", orgId: b.orgId })).toHaveLength(1);
    for (const org of [a, b]) {
      const waiting = await alertsTo(victim, { orgId: org.orgId, state: "QUEUED", template: "temporary-code-issued" });
      const newest = await db().emailMessage.findFirstOrThrow({
        where: { to: victim, orgId: org.orgId, template: "temporary-code-issued" },
        orderBy: { createdAt: "desc" },
      });
      expect(waiting.map((m) => m.id)).toEqual([newest.id]);
      const [digest] = await alertsTo(victim, { orgId: org.orgId, template: "security-alerts-digest" });
      const folded = await db().emailMessage.findMany({ where: { to: victim, orgId: org.orgId, state: "FOLDED" } });
      expect(folded.length).toBeGreaterThan(0);
      expect(folded.every((m) => m.digestId === digest!.id && !m.text.includes("/wasnt-me/"))).toBe(true);
      expect(digest).toMatchObject({ state: "QUEUED", subject: `${folded.length} more Gatehouse security alerts about your ${org.name} account` });
      expect(digest!.text).toContain("An admin issued you a temporary verification code");
    }
    expect(await alertsTo(victim, { state: "FOLDED" })).toHaveLength(12 - 4 - 2);

    // After the hour: each org's newest alert, with its own "This wasn't me" link, and one digest per org.
    await deliverAll(new Date(now.getTime() + HOUR + 1000));
    const sent = await alertsTo(victim, { state: "SENT" });
    expect(sent).toHaveLength(4 + 2 + 2);
    expect(sent.filter((m) => m.template === "temporary-code-issued" && m.text.includes("/wasnt-me/"))).toHaveLength(6);
  });

  it("another address is not held back by one address's flood", async () => {
    capAlerts(2);
    const victim = `victim-${crypto.randomBytes(4).toString("hex")}@mail.test`;
    const bystander = `bystander-${crypto.randomBytes(4).toString("hex")}@mail.test`;
    await floodFrom("Flood C", victim, 1, 3);
    await floodFrom("Calm", bystander, 1, 2);

    await deliverAll(new Date());

    expect(await alertsTo(victim, { state: "SENT" })).toHaveLength(2);
    expect(await alertsTo(bystander, { state: "SENT" })).toHaveLength(2);
  });

  it("another org's flood does not delay an org's first alert to the address (review: a tenant could hold a victim's alerts for an hour)", async () => {
    capAlerts(2);
    const victim = `victim-${crypto.randomBytes(4).toString("hex")}@mail.test`;
    await floodFrom("Flood D", victim, 1, 3);
    await deliverAll(new Date());
    expect(await alertsTo(victim, { state: "SENT" })).toHaveLength(2);

    const real = await floodFrom("Real employer", victim, 1, 1);
    await deliverAll(new Date());
    expect(await alertsTo(victim, { state: "SENT", orgId: real.orgId })).toHaveLength(1);
  });

  it("an alert taken over from a worker whose lease ran out mid-send is counted once (the soak: it was counted again, and the address's last alert of the hour waited for the hour's end)", async () => {
    capAlerts(2);
    const victim = `victim-${crypto.randomBytes(4).toString("hex")}@mail.test`;
    await floodFrom("Two alerts", victim, 1, 2);
    const [first, second] = await alertsTo(victim);

    // The first worker admits the first alert and never hears back from its mail server (or dies): its claim lapses.
    const held: { answer?: () => void } = {};
    const stalled = {
      ...mailboxTransport,
      send: (mail: { messageId: string }) => new Promise<{ messageId: string }>((resolve) => (held.answer = () => resolve({ messageId: mail.messageId }))),
    };
    const start = new Date();
    const stuck = deliverDueEmails({ transport: stalled, batchSize: 1, now: () => start, sendTimeoutMs: 10 * 60_000 });
    await vi.waitFor(() => expect(held.answer).toBeDefined());

    // Another worker, after the lease: takes the first over and claims the second. Both are within the cap of 2.
    await deliverAll(new Date(start.getTime() + env().MAIL_CLAIM_LEASE_SECONDS * 1000 + 1000));
    expect((await alertsTo(victim, { state: "SENT" })).map((m) => m.id).sort()).toEqual([first!.id, second!.id].sort());

    // The first worker's late answer changes nothing: its write is fenced on the claim it lost.
    held.answer!();
    await stuck;
    expect(await alertsTo(victim, { state: "SENT" })).toHaveLength(2);
  });
});
