import "server-only";
import { hashPassword } from "../auth/password";
import { db } from "../db/client";

/** Documented in the README; only ever seeded into an empty database. */
export const DEMO_PASSWORD = "gatehouse-demo-password";

const DEMO_ORGS = [
  {
    slug: "acme",
    name: "Acme",
    users: [
      { username: "ada@acme.test", name: "Ada Lovelace", role: "ADMIN" },
      { username: "grace@acme.test", name: "Grace Hopper", role: "STANDARD" },
    ],
  },
  {
    slug: "globex",
    name: "Globex",
    users: [{ username: "hank@globex.test", name: "Hank Scorpio", role: "ADMIN" }],
  },
] as const;

export type SeedOutcome = { seeded: true; users: string[] } | { seeded: false; reason: string };

/** Seeds the demo orgs into an empty database; a database that holds any org is left alone. */
export async function seedDemoData(): Promise<SeedOutcome> {
  const orgCount = await db().org.count();
  if (orgCount > 0) return { seeded: false, reason: `the database already holds ${orgCount} org(s)` };
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db().$transaction(async (tx) => {
    for (const org of DEMO_ORGS) {
      await tx.org.create({
        data: {
          slug: org.slug,
          name: org.name,
          users: { create: org.users.map((u) => ({ ...u, email: u.username, passwordHash })) },
        },
      });
    }
  });
  return { seeded: true, users: DEMO_ORGS.flatMap((o) => o.users.map((u) => u.username)) };
}
