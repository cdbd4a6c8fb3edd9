import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, openDatabase, type Db } from "@/lib/db/client";
import { enqueueEmail } from "@/lib/email/outbox";
import { smtpTransport } from "@/lib/email/transport";
import { deliverDueEmails } from "@/lib/email/worker";
import { useTestDatabase } from "../support/database";
import { createOrg } from "../support/factories";
import { TestSmtpServer } from "../support/test-smtp";

// Several app instances (or `npm run mail:worker` beside them) poll one outbox.
// On PostgreSQL each worker here has its own connection pool, as separate
// processes would; under PGlite two workers share the one embedded database.

const database = useTestDatabase();
const smtp = new TestSmtpServer();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

beforeAll(async () => {
  await smtp.start(0);
});
afterAll(async () => {
  await smtp.stop();
});

async function queue(count: number, label: string): Promise<string[]> {
  const org = await createOrg(label);
  const addresses = Array.from({ length: count }, (_, i) => `${label.toLowerCase()}-${i}@race.test`);
  await db().$transaction(async (tx) => {
    for (const to of addresses) {
      await enqueueEmail(tx, {
        orgId: org.orgId,
        to,
        template: "set-password",
        data: { name: "Racer", username: to, orgName: label, invitedBy: "Admin", link: "http://localhost:3000/set-password/x", expiresAt: new Date() },
      });
    }
  });
  return addresses;
}

/** A worker that keeps polling in small batches until the outbox has nothing due. */
async function drain(prisma: Db): Promise<number> {
  const transport = smtpTransport(smtp.url);
  let sent = 0;
  for (;;) {
    const report = await deliverDueEmails({ transport, db: prisma, batchSize: 3 });
    sent += report.sent;
    if (report.claimed === 0) return sent;
  }
}

describe(`two workers racing on ${onPostgres ? "PostgreSQL" : "PGlite"}`, () => {
  it("send each message exactly once", async () => {
    const addresses = await queue(30, "Race");
    const second = onPostgres ? openDatabase({ url: database.current().url! }) : undefined;
    try {
      const [a, b] = await Promise.all([drain(db()), drain(second?.prisma ?? db())]);
      expect(a + b).toBe(30);
      // Both took part: the claim really was contended.
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
    } finally {
      await second?.close();
    }
    const received = addresses.map((to) => smtp.mailTo(to).length);
    expect(received).toEqual(addresses.map(() => 1));
    const rows = await db().emailMessage.findMany({ where: { to: { in: addresses } } });
    expect(rows.map((r) => [r.state, r.attempts])).toEqual(addresses.map(() => ["SENT", 1]));
  });

  it.runIf(onPostgres)("skip a row another worker holds instead of waiting for it or sending it too", async () => {
    const [held, ...others] = await queue(3, "Held");
    const row = await db().emailMessage.findFirstOrThrow({ where: { to: held } });
    const transport = smtpTransport(smtp.url);
    // Another worker is in the middle of claiming `held`: its row lock is taken.
    await database.current().raw.transaction(async (tx) => {
      await tx.query(`SELECT "id" FROM "EmailMessage" WHERE "id" = $1 FOR UPDATE`, [row.id]);
      const report = await deliverDueEmails({ transport, batchSize: 10 });
      expect(report).toMatchObject({ claimed: 2, sent: 2 });
    });
    expect(smtp.mailTo(held!)).toHaveLength(0);
    expect(others.map((to) => smtp.mailTo(to).length)).toEqual([1, 1]);
    expect(await deliverDueEmails({ transport })).toMatchObject({ claimed: 1, sent: 1 });
    expect(smtp.mailTo(held!)).toHaveLength(1);
  });
});
