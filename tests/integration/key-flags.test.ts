import { describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { FreshAuthRequiredError } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { NotFoundError, UserFacingError } from "@/lib/errors";
import { listUsers } from "@/lib/users/queries";
import { clearKeyFlag } from "@/lib/webauthn/flags";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

useTestDatabase();

async function flaggedKey() {
  const org = await createOrg("Flags");
  await setOrgSettings(org.orgId, {});
  const { userId, username } = await createUser(org.admin);
  const { ctx } = await signIn(userId);
  await reauthenticate(ctx);
  const key = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
  await db().securityKey.update({ where: { id: key.id }, data: { flaggedAt: new Date() } });
  return { org, userId, username, key };
}

describe("possible cloned keys: an admin reviews the flag", () => {
  it("clears the flag of a key in their own org, after verifying it's them, with a Setup Audit Trail row", async () => {
    const { org, userId, username, key } = await flaggedKey();
    await clearKeyFlag(await stepUp(org.admin), userId, key.id);
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).flaggedAt).toBeNull();
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Cleared possible cloned key flag" } });
    expect(audit).toMatchObject({ actorId: org.adminId, targetId: userId, newValue: "Usable again" });
    expect(audit.oldValue).toContain(`${username}: ${key.name} flagged`);
    // Nothing left to clear: a clear refusal, no second audit row.
    expect(await rejectionOf(stepUp(org.admin).then((c) => clearKeyFlag(c, userId, key.id)))).toBeInstanceOf(UserFacingError);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Cleared possible cloned key flag" } })).toBe(1);
  });

  it("another org's admin gets not found, and the key stays flagged", async () => {
    const { userId, key } = await flaggedKey();
    const stranger = await createOrg("Stranger");
    expect(await rejectionOf(stepUp(stranger.admin).then((c) => clearKeyFlag(c, userId, key.id)))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(stepUp(stranger.admin).then((c) => clearKeyFlag(c, stranger.adminId, key.id)))).toBeInstanceOf(NotFoundError);
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).flaggedAt).not.toBeNull();
    expect(await db().auditEvent.count({ where: { orgId: stranger.orgId, action: "Cleared possible cloned key flag" } })).toBe(0);
  });

  it("needs the admin's fresh re-authentication", async () => {
    const { org, userId, key } = await flaggedKey();
    const later = new Date(Date.now() + 61 * 60_000);
    expect(await rejectionOf(stepUp(org.admin, later).then((c) => clearKeyFlag(c, userId, key.id)))).toBeInstanceOf(FreshAuthRequiredError);
    expect((await db().securityKey.findUniqueOrThrow({ where: { id: key.id } })).flaggedAt).not.toBeNull();
  });

  it("the Users list counts flagged keys apart from usable ones", async () => {
    const { org, userId } = await flaggedKey();
    const { users } = await listUsers(org.admin, { q: "", page: 1 });
    const row = users.find((u) => u.id === userId)!;
    expect(row._count.securityKeys).toBe(0);
    expect(row.securityKeys).toHaveLength(1);
  });
});
