import { describe, expect, it, vi } from "vitest";
import { endOwnSessionAction } from "@/app/(app)/settings/advanced/actions";
import { db } from "@/lib/db/client";
import { listOwnSessions } from "@/lib/users/queries";
import { listOwnRecentVerifications } from "@/lib/verification/queries";
import { useTestDatabase } from "../support/database";
import { createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";
import { reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

async function twoUsersOfOneOrg() {
  const org = await createOrg("Own");
  await setOrgSettings(org.orgId, {});
  const ann = await signIn((await createUser(org.admin)).userId);
  const bob = await signIn((await createUser(org.admin)).userId);
  return { org, ann, bob };
}

const live = async (sessionId: string) => (await db().session.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt === null;

describe("Advanced User Details: your own sessions and verifications", () => {
  it("lists only the user's own live sessions and recent verifications", async () => {
    const { ann, bob } = await twoUsersOfOneOrg();
    const annLaptop = await signIn(ann.ctx.userId);
    await reauthenticate(ann.ctx);
    await reauthenticate(bob.ctx);
    expect((await listOwnSessions(ann.ctx)).map((s) => s.id).sort()).toEqual([ann.ctx.sessionId, annLaptop.ctx.sessionId].sort());
    const events = await listOwnRecentVerifications(ann.ctx);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ activity: "Re-authentication", result: "Succeeded" });
  });

  it("logs out one of the user's other browsers", async () => {
    const { ann } = await twoUsersOfOneOrg();
    const annLaptop = await signIn(ann.ctx.userId);
    await actAs(ann.token);
    expect(await endOwnSessionAction({ sessionId: annLaptop.ctx.sessionId })).toEqual({ ok: true, data: undefined });
    expect(await live(annLaptop.ctx.sessionId)).toBe(false);
    expect(await live(ann.ctx.sessionId)).toBe(true);
  });

  it("answers not found for another user's session, and refuses a malformed id, ending nothing", async () => {
    const { ann, bob } = await twoUsersOfOneOrg();
    const stranger = await createOrg("Other");
    await actAs(ann.token);
    for (const sessionId of [bob.ctx.sessionId, stranger.admin.sessionId]) {
      expect(await endOwnSessionAction({ sessionId })).toMatchObject({ ok: false, error: "That session was not found." });
      expect(await live(sessionId)).toBe(true);
    }
    expect(await endOwnSessionAction({ sessionId: "not-a-uuid" })).toMatchObject({ ok: false, fieldErrors: { sessionId: expect.any(String) } });
    await actAs(null);
    expect(await endOwnSessionAction({ sessionId: bob.ctx.sessionId })).toMatchObject({ ok: false, error: "Your session has ended. Log in again." });
    expect(await live(bob.ctx.sessionId)).toBe(true);
  });
});
