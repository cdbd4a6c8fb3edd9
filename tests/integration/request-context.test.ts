import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import HomePage from "@/app/(app)/home/page";
import SessionSettingsPage from "@/app/(app)/setup/session-settings/page";
import { GET as exportLoginHistory } from "@/app/(app)/setup/login-history/export/route";
import { pgliteAdapter, setDatabase, type Database, type RawSql } from "@/lib/db/client";
import { PrismaClient } from "@/lib/db/generated/client";
import { migrate } from "@/lib/db/migrate";
import { createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

// One request resolves its caller once: session, user, org and the org's
// policy, read together. This file counts the SQL a page render sends, so it
// runs on its own PGlite whose queries it can see (the count does not depend
// on the database engine).

const statements: string[] = [];

function countingPglite(): Database {
  const lite = new PGlite("memory://");
  const query = lite.query.bind(lite);
  lite.query = ((sql: string, ...rest: unknown[]) => {
    statements.push(sql);
    return (query as (...args: unknown[]) => unknown)(sql, ...rest);
  }) as typeof lite.query;
  const raw: RawSql = {
    query: async <T>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
    exec: async (script) => void (await lite.exec(script)),
    transaction: (work) =>
      lite.transaction((tx) =>
        work({
          query: async <T>(sql: string, params: unknown[] = []) => (await tx.query<T>(sql, params)).rows,
          exec: async (s: string) => void (await tx.exec(s)),
        }),
      ),
  };
  const prisma = new PrismaClient({ adapter: pgliteAdapter(lite) });
  return { prisma, kind: "pglite", raw, close: async () => void (await prisma.$disconnect(), await lite.close()) };
}

let database: Database;
beforeAll(async () => {
  database = countingPglite();
  await migrate(database.raw);
  setDatabase(database);
});
afterAll(async () => {
  setDatabase(undefined);
  await database.close();
});

/** The statements `render` sends that read the org's Session Settings. */
async function policyReadsDuring(render: () => Promise<unknown>): Promise<number> {
  statements.length = 0;
  await render();
  return statements.filter((sql) => /FROM\s+"public"\."OrgSettings"/i.test(sql)).length;
}

describe("one request context", () => {
  it("reads the org's policy once per page render, for a user page and an admin page", async () => {
    const org = await createOrg("Context");
    const user = await createUser(org.admin);
    const { token } = await signIn(user.userId);

    await actAs(token);
    expect(await policyReadsDuring(() => HomePage())).toBe(1);
    await actAs(org.adminToken);
    expect(await policyReadsDuring(() => SessionSettingsPage())).toBe(1);
    // The counter sees the reads: a render that resolved the context twice would count 2.
    expect(await policyReadsDuring(async () => (await HomePage(), await HomePage()))).toBe(2);
  });

  it("refuses an export while the admin's MFA enrolment is due, as the pages redirect", async () => {
    const org = await createOrg("Enrol");
    await database.prisma.orgSettings.upsert({
      where: { orgId: org.orgId },
      create: { orgId: org.orgId, version: 1, requireMfa: true },
      update: { requireMfa: true },
    });
    await actAs(org.adminToken);
    const response = await exportLoginHistory(new Request("http://localhost:3000/setup/login-history/export"));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ ok: false, code: "mfa-enrolment-required" });
  });
});
