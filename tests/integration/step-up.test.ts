import { describe, expect, it } from "vitest";
import { stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import { FreshAuthRequiredError } from "@/lib/auth/freshness";
import { db } from "@/lib/db/client";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { DEFAULT_POLICY } from "@/lib/policy/rules";
import { addUser, setUserActive, setUserRole } from "@/lib/users/mutations";
import { invalidateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { removeUserKey } from "@/lib/webauthn/keys";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { asAdmin, createOrg, createUser, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

useTestDatabase();

/** An org with a user who has a key, and a second admin whose session is not fresh (they logged in a while ago). */
async function setup() {
  const org = await createOrg("StepUp");
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const own = await signIn(user.userId);
  await reauthenticate(own.ctx);
  const key = await finishKeyRegistration(await registering(own.ctx), (await keyResponseFor(own.ctx)).response);
  const colleague = await createUser(org.admin, "ADMIN");
  const stale = asAdmin((await signIn(colleague.userId)).ctx);
  return { org, user, key, stale };
}

async function snapshot(orgId: string) {
  const [settings, users, keys, codes, audits, emails] = await Promise.all([
    db().orgSettings.findUnique({ where: { orgId } }),
    db().user.findMany({ where: { orgId }, select: { id: true, role: true }, orderBy: { id: "asc" } }),
    db().securityKey.count({ where: { orgId } }),
    db().temporaryCode.count({ where: { orgId } }),
    db().auditEvent.count({ where: { orgId } }),
    db().emailMessage.count({ where: { orgId } }),
  ]);
  return { settings, users, keys, codes, audits, emails };
}

describe("sensitive admin changes need the admin's fresh re-authentication", () => {
  it("refuses them from a session that did not verify recently, and changes nothing", async () => {
    const { org, user, key, stale } = await setup();
    const before = await snapshot(org.orgId);
    const activeBefore = await db().user.findMany({ where: { orgId: org.orgId }, select: { id: true, isActive: true }, orderBy: { id: "asc" } });
    const input = { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], allowSecurityKeys: true, requireMfa: true, version: 1 };
    expect(await rejectionOf(stepUp(stale).then((c) => saveSessionSettings(c, input)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(stepUp(stale).then((c) => setUserRole(c, user.userId, "ADMIN")))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(stepUp(stale).then((c) => removeUserKey(c, user.userId, key.id, "Reported lost")))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(stepUp(stale).then((c) => invalidateRecoveryCodes(c, user.userId)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(stepUp(stale).then((c) => issueTemporaryCode(c, user.userId, 2)))).toBeInstanceOf(FreshAuthRequiredError);
    // Another admin, or locking admins out, would let a stolen session outlive its theft.
    const eve = "eve@evil.test";
    expect(await rejectionOf(addUser(stale, { name: "Eve", username: eve, email: eve, role: "ADMIN" }))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await rejectionOf(stepUp(stale).then((c) => setUserActive(c, org.adminId, false)))).toBeInstanceOf(FreshAuthRequiredError);
    expect(await snapshot(org.orgId)).toEqual(before);
    expect(await db().user.findMany({ where: { orgId: org.orgId }, select: { id: true, isActive: true }, orderBy: { id: "asc" } })).toEqual(activeBefore);
    // A standard user is an ordinary invitation.
    await addUser(stale, { name: "Sam", username: "sam@stepup.test", email: "sam@stepup.test", role: "STANDARD" });

    // After "verify it's you" the same admin may.
    await reauthenticate(stale);
    await setUserRole(await stepUp(stale), user.userId, "ADMIN");
    await removeUserKey(await stepUp(stale), user.userId, key.id, "Reported lost");
    expect(await db().securityKey.count({ where: { id: key.id } })).toBe(0);
  });

  it("never issues an admin a temporary code for themselves", async () => {
    const org = await createOrg("Self");
    const before = await snapshot(org.orgId);
    const refusal = await rejectionOf(stepUp(org.admin).then((c) => issueTemporaryCode(c, org.adminId, 2)));
    expect(refusal.message).toBe("You can't issue a temporary code to yourself. Ask another admin.");
    expect(await snapshot(org.orgId)).toEqual(before);
  });
});
