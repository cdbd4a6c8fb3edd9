import { describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords/password";
import { db } from "@/lib/db/client";
import { DEMO_ACTOR, DEMO_PASSWORD, seedDemoData } from "@/lib/orgs/demo-data";
import { useTestDatabase } from "../support/database";

useTestDatabase();

// The demo orgs are made by the same services as real ones (DESIGN.md section 11), so their audit trail is right.

describe("the demo seed", () => {
  it("go through the services: each org as sign-up creates one, its users added by the system and audited, every password working", async () => {
    expect(await seedDemoData()).toEqual({ seeded: true, users: ["ada@acme.test", "grace@acme.test", "hank@globex.test"] });
    for (const username of ["ada@acme.test", "grace@acme.test", "hank@globex.test"]) {
      const user = await db().user.findFirstOrThrow({ where: { username } });
      expect(await verifyPassword(DEMO_PASSWORD, user.passwordHash), username).toBe(true);
    }
    const acme = await db().org.findUniqueOrThrow({ where: { slug: "acme" } });
    const events = await db().securityEvent.findMany({ where: { orgId: acme.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => BigInt(i + 1)));
    const grace = await db().user.findFirstOrThrow({ where: { username: "grace@acme.test" } });
    expect(events.find((e) => e.targetUserId === grace.id && e.actorKind === "system")).toMatchObject({ actorName: DEMO_ACTOR });
    expect(events.map((e) => e.type)).toContain("org.created");
    // A second run leaves a seeded database alone.
    expect(await seedDemoData()).toMatchObject({ seeded: false });
  });
});
