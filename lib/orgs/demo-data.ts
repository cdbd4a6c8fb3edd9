import "server-only";
import { systemPrincipal } from "../auth/principal";
import { db } from "../db/client";
import { addUser } from "../users/mutations";
import { completeInvitation, createSetPasswordLink } from "../users/invitations";
import { createOrgWithAdmin } from "./mutations";

/** Documented in the README; only ever seeded into an empty database. */
export const DEMO_PASSWORD = "gatehouse-demo-password";

/** The system actor the demo's changes are recorded under. */
export const DEMO_ACTOR = "Demo data";

const DEMO_ORGS = [
  {
    slug: "acme",
    name: "Acme",
    admin: { username: "ada@acme.test", name: "Ada Lovelace" },
    users: [{ username: "grace@acme.test", name: "Grace Hopper", role: "STANDARD" }],
  },
  {
    slug: "globex",
    name: "Globex",
    admin: { username: "hank@globex.test", name: "Hank Scorpio" },
    users: [],
  },
] as const;

export type SeedOutcome = { seeded: true; users: string[] } | { seeded: false; reason: string };

/**
 * Seeds the demo orgs into an empty database, through the same services as
 * everyone (DESIGN.md section 11): each org is created as sign-up creates one,
 * its other users are added by the system principal (audited as "Demo data")
 * and set their password through a set-password link, as an invited user
 * does. A database that holds any org is left alone.
 */
export async function seedDemoData(): Promise<SeedOutcome> {
  const orgCount = await db().org.count();
  if (orgCount > 0) return { seeded: false, reason: `the database already holds ${orgCount} org(s)` };
  for (const org of DEMO_ORGS) {
    const { orgId } = await createOrgWithAdmin({
      orgName: org.name,
      slug: org.slug,
      name: org.admin.name,
      email: org.admin.username,
      password: DEMO_PASSWORD,
    });
    const system = await systemPrincipal({ id: orgId }, DEMO_ACTOR);
    for (const user of org.users) {
      const { userId } = await addUser(system, { name: user.name, username: user.username, email: user.username, role: user.role });
      // The operator's path to a first password (as `npm run user:recover` hands one over): a link, used at once.
      const { link } = await db().$transaction((tx) => createSetPasswordLink(tx, { id: userId, orgId }, "invitation", new Date()));
      await completeInvitation(link.slice(link.lastIndexOf("/") + 1), DEMO_PASSWORD);
    }
  }
  return { seeded: true, users: DEMO_ORGS.flatMap((o) => [o.admin.username, ...o.users.map((u) => u.username)]) };
}
