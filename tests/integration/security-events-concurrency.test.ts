import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, openDatabase, type Database } from "@/lib/db/client";
import { execute } from "@/lib/db/sql";
import { eventRow, recordEvent, withEvents, type EventOrigin } from "@/lib/events/record";
import { INSERT_EVENTS } from "@/lib/events/sql";
import type { SecurityEventInput } from "@/lib/events/types";
import { useTestDatabase } from "../support/database";
import { createOrg } from "../support/factories";

// Sequence numbers under writers on separate connections, as separate app instances would be. Only on
// PostgreSQL (TEST_DATABASE_URL): PGlite has one connection, so its writers never overlap.

const database = useTestDatabase();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let second: Database | undefined;
beforeAll(() => {
  if (onPostgres) second = openDatabase({ url: database.current().url! });
});
afterAll(async () => {
  await second?.close();
});

const by = (orgId: string): EventOrigin => ({ orgId, actor: { kind: "system", id: null, name: "Concurrency test" }, request: null });
const settingChange = (n: number): SecurityEventInput => ({ type: "settings.updated", setting: { field: `Field ${n}`, old: null, new: String(n) } });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A change on the second connection: its events, then (inside the transaction, holding the counter) a pause, then commit or rollback. */
function changeOnSecond(orgId: string, events: SecurityEventInput[], holdMs: number, rollback = false) {
  return second!.prisma
    .$transaction(
      async (tx) => {
        await execute(INSERT_EVENTS, [JSON.stringify(events.map((event, i) => eventRow(by(orgId), event, i)))], tx);
        if (holdMs) await execute(`SELECT 1 FROM pg_sleep(${holdMs / 1000})`, [], tx);
        if (rollback) throw new Error("rolled back");
      },
      { timeout: 20_000 },
    )
    .then(
      () => events.length,
      (error: unknown) => rolledBack(error),
    );
}

/** 0 events written for the test's own rollback; anything else fails the test. */
function rolledBack(error: unknown): number {
  if (error instanceof Error && error.message === "rolled back") return 0;
  throw error;
}

/** A change on the process's own connection, through withEvents. */
function changeOnFirst(orgId: string, events: SecurityEventInput[], rollback = false) {
  return withEvents(async (tx) => {
    for (const event of events) await recordEvent(by(orgId), event, tx);
    if (rollback) throw new Error("rolled back");
  }).then(
    () => events.length,
    (error: unknown) => rolledBack(error),
  );
}

describe.skipIf(!onPostgres)("security event numbers on PostgreSQL, two connections", () => {
  it("stay gapless per org under concurrent writers, some of which roll back", async () => {
    const org = await createOrg("ConcurrentSeq");
    const start = Number((await db().orgEventCounter.findUniqueOrThrow({ where: { orgId: org.orgId } })).lastSeq);
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 30; i++) {
      const events = Array.from({ length: 1 + (i % 3) }, (_, j) => settingChange(i * 10 + j));
      writes.push(i % 2 === 0 ? changeOnSecond(org.orgId, events, i % 4 === 0 ? 30 : 0, i % 5 === 0) : changeOnFirst(org.orgId, events, i % 7 === 0));
    }
    const committed = (await Promise.all(writes)).reduce((a, b) => a + b, 0);
    expect(committed).toBeGreaterThan(0);
    const seqs = (await db().securityEvent.findMany({ where: { orgId: org.orgId }, select: { seq: true }, orderBy: { seq: "asc" } })).map((e) => Number(e.seq));
    expect(seqs).toEqual(Array.from({ length: start + committed }, (_, i) => i + 1));
    expect(Number((await db().orgEventCounter.findUniqueOrThrow({ where: { orgId: org.orgId } })).lastSeq)).toBe(start + committed);
  }, 60_000);

  it("a change holding one org's counter does not hold up another org's events; the same org's next event waits for its commit", async () => {
    const acme = await createOrg("HeldAcme");
    const globex = await createOrg("FreeGlobex");
    const held = changeOnSecond(acme.orgId, [settingChange(1)], 1500);
    await pause(300); // the held change has taken Acme's counter

    const started = Date.now();
    await changeOnFirst(globex.orgId, [settingChange(2)]);
    expect(Date.now() - started).toBeLessThan(1000);

    const acmeNext = changeOnFirst(acme.orgId, [settingChange(3)]).then(() => Date.now());
    const heldDone = await held.then(() => Date.now());
    expect(await acmeNext).toBeGreaterThanOrEqual(heldDone - 50);
    const last = await db().securityEvent.findMany({ where: { orgId: acme.orgId }, orderBy: { seq: "desc" }, take: 2 });
    expect(last.map((e) => e.field)).toEqual(["Field 3", "Field 1"]);
  }, 30_000);
});
