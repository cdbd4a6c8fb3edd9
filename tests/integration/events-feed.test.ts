import { describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/events/route";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import { ApiProblem } from "@/lib/api/problem";
import { stepUp } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { eventsPage, eventsQuery } from "@/lib/events/feed";
import { SECURITY_EVENT_TYPES } from "@/lib/events/types";
import { removeUserKey } from "@/lib/webauthn/keys";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import { expectDocumented } from "../support/openapi";
import { registering } from "../support/step-up";

useTestDatabase();

// The pull side of Event Streams (DESIGN.md section 13): what GET /api/v1/events
// answers, read here through its service.

type Page = Awaited<ReturnType<typeof eventsPage>>;
type Item = { id: string; seq: number; type: string; target: { credential: { id: string } | null } };

async function readAll(principal: Parameters<typeof eventsPage>[0], query: Record<string, string> = {}) {
  const items: Item[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page: Page = await eventsPage(principal, eventsQuery.parse({ ...query, limit: "3", ...(after ? { after } : {}) }));
    items.push(...(page.items as unknown as Item[]));
    if (page.items.length === 0) return { items, cursor: page.nextCursor };
    after = page.nextCursor ?? undefined;
  }
  throw new Error("did not end");
}

describe("the events feed", () => {
  it("every event once, in seq order, across pages; a key's registration and removal carry the same credential id", async () => {
    const org = await createOrg("Feed");
    await setOrgSettings(org.orgId, {});
    const { userId } = await createUser(org.admin);
    const { ctx } = await signIn(userId);
    await reauthenticate(ctx);
    const key = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    await removeUserKey(await stepUp(org.admin), userId, key.id, "Lost");
    const other = await createOrg("Other");

    const { items, cursor } = await readAll(org.admin);
    const seqs = items.map((e) => e.seq);
    const last = Number((await db().orgEventCounter.findUniqueOrThrow({ where: { orgId: org.orgId } })).lastSeq);
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    const registered = items.find((e) => e.type === "user.security_key.registered")!;
    const removed = items.find((e) => e.type === "user.security_key.removed")!;
    expect(registered.target.credential?.id).toBe(key.id);
    expect(removed.target.credential?.id).toBe(key.id);
    // Nothing of the other org.
    expect(await db().securityEvent.count({ where: { orgId: other.orgId, id: { in: items.map((e) => e.id) } } })).toBe(0);
    // The cursor is stable: reading from it again gives nothing new, then only what came after.
    expect((await eventsPage(org.admin, eventsQuery.parse({ after: cursor! }))).items).toEqual([]);
    await createUser(org.admin);
    const next = await eventsPage(org.admin, eventsQuery.parse({ after: cursor! }));
    expect((next.items as unknown as Item[])[0]!.seq).toBe(last + 1);
  });

  it("?types= filters, ?format=ocsf gives OCSF records with the event id and the org", async () => {
    const org = await createOrg("Ocsf");
    await createUser(org.admin);
    const { items } = await readAll(org.admin, { types: "user.created,org.created" });
    expect(new Set(items.map((e) => e.type))).toEqual(new Set(["user.created", "org.created"]));
    const ocsf = (await eventsPage(org.admin, eventsQuery.parse({ format: "ocsf", limit: "200" }))).items as Record<string, unknown>[];
    expect(ocsf.length).toBeGreaterThan(0);
    for (const record of ocsf) {
      expect(record).toMatchObject({ category_uid: 3, metadata: { tenant_uid: org.orgId, uid: expect.any(String) } });
      expect([3001, 3002, 3004, 3005]).toContain(record.class_uid);
    }
    expect(eventsQuery.safeParse({ types: "user.nonsense" }).success).toBe(false);
    expect(SECURITY_EVENT_TYPES).toContain("user.security_key.flagged");
  });

  it("a cursor that is not one of ours is invalid; one whose next events were swept by retention is gone", async () => {
    const org = await createOrg("Gone");
    expect(await rejectionOf(eventsPage(org.admin, eventsQuery.parse({ after: "bm90LWEtY3Vyc29y" })))).toMatchObject({ slug: "invalid-cursor" });
    await createUser(org.admin);
    const first = await eventsPage(org.admin, eventsQuery.parse({ limit: "1" }));
    const cursor = first.nextCursor!;
    // A year later the next event was swept (activity class); the cursor from then points before the gap.
    const later = new Date(Date.now() + 365 * 86_400_000);
    expect((await eventsPage(org.admin, eventsQuery.parse({ after: cursor }), later)).items.length).toBeGreaterThan(0);
    await db().securityEvent.deleteMany({ where: { orgId: org.orgId, seq: 2 } });
    const refusal = await rejectionOf(eventsPage(org.admin, eventsQuery.parse({ after: cursor }), later));
    expect(refusal).toBeInstanceOf(ApiProblem);
    expect((refusal as ApiProblem).status).toBe(410);
  });

  it("GET /api/v1/events with a token answers as the OpenAPI document says, in both formats, and 400 for a tampered cursor", async () => {
    const org = await createOrg("Http");
    await createUser(org.admin);
    const token = await mintApiToken({
      orgId: org.orgId,
      name: "siem",
      scopes: ["events:read"],
      expiresAt: new Date(Date.now() + 86_400_000),
      createdBy: { id: org.adminId, name: org.admin.userName },
    });
    const get = async (query: Record<string, string>) => {
      const url = new URL("http://localhost:3000/api/v1/events");
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      const response = await GET(new Request(url, { headers: { authorization: `Bearer ${token.secret}` } }));
      return { status: response.status, body: (await expectDocumented(response.clone(), "GET", "/api/v1/events")) as { items: Item[]; nextCursor: string } };
    };
    const first = await get({ limit: "2" });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e) => e.seq)).toEqual([1, 2]);
    const ocsf = await get({ after: first.body.nextCursor, format: "ocsf", limit: "1" });
    expect(ocsf.body.items[0]).toMatchObject({ metadata: { sequence: 3, tenant_uid: org.orgId } });
    expect((await get({ after: "tampered" })).status).toBe(400);
  });
});
