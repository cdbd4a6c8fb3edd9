import { describe, expect, it } from "vitest";
import { registering } from "../support/step-up";
import { stepUp } from "@/lib/auth/freshness";
import { authenticateWithPassword, InvalidCredentialsError } from "@/lib/auth/login/login";
import { startKeyVerification, verifyWithKey } from "@/lib/auth/login/verify-key";
import { completePendingLogin, requirePendingLogin } from "@/lib/auth/login/pending-login";
import { listAuditEvents } from "@/lib/audit/queries";
import { revokeOwnDevice } from "@/lib/auth/login/devices";
import { db } from "@/lib/db/client";
import { recordEvent, withEvents } from "@/lib/events/record";
import { SECURITY_EVENT_TYPES } from "@/lib/events/types";
import { ulidToUuid } from "@/lib/events/ulid";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { DEFAULT_POLICY } from "@/lib/policy/rules";
import { requestPasswordReset } from "@/lib/users/password-reset";
import { setUserRole } from "@/lib/users/mutations";
import { removeOwnKey, removeUserKey, renameOwnKey } from "@/lib/webauthn/keys";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

// Every change writes exactly one typed event (DESIGN.md section 11), in its own transaction, numbered per org
// without gaps. The history pages' rows are rendered from the same event and carry its id.

useTestDatabase();

/** The org's events after `afterSeq`, oldest first. */
async function eventsOf(orgId: string, afterSeq = 0n) {
  return db().securityEvent.findMany({ where: { orgId, seq: { gt: afterSeq } }, orderBy: { seq: "asc" } });
}

async function lastSeq(orgId: string): Promise<bigint> {
  return (await db().orgEventCounter.findUnique({ where: { orgId } }))?.lastSeq ?? 0n;
}

/** Runs `change` and returns the events it wrote. */
async function eventsWrittenBy(orgId: string, change: () => Promise<unknown>) {
  const before = await lastSeq(orgId);
  await change();
  return eventsOf(orgId, before);
}

async function userWithKey(name = "Events") {
  const org = await createOrg(name);
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const { response, authenticator, credential } = await keyResponseFor(ctx, { attestation: "fido-u2f" });
  const events = await eventsWrittenBy(org.orgId, async () => finishKeyRegistration(await registering(ctx), response));
  const key = await db().securityKey.findFirstOrThrow({ where: { userId: user.userId } });
  return { org, user, ctx, key, authenticator, credential, registered: events };
}

describe("typed security events", () => {
  it("an admin's change: one event naming the admin as actor and the user as target, and its trail row carrying its id", async () => {
    const org = await createOrg("RoleEvents");
    const dana = await createUser(org.admin);
    const events = await eventsWrittenBy(org.orgId, async () => setUserRole(await stepUp(org.admin), dana.userId, "ADMIN"));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({
      type: "user.role.changed",
      outcome: "success",
      actorKind: "user",
      actorId: org.adminId,
      actorName: "RoleEvents Admin",
      targetUserId: dana.userId,
      targetUserName: `User ${dana.username}`,
      targetUsername: dana.username,
      ip: TEST_REQUEST.ip,
      userAgent: TEST_REQUEST.userAgent,
      data: { from: "STANDARD", to: "ADMIN" },
    });
    expect(event!.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const row = await db().auditEvent.findUniqueOrThrow({ where: { id: ulidToUuid(event!.id) } });
    expect(row).toMatchObject({ action: "Changed role", field: "Role", oldValue: "Standard", newValue: "Admin", targetId: dana.userId, actorId: org.adminId });
  });

  it("a settings save: one event per changed field with old → new (the last field first: the trail lists newest first)", async () => {
    const org = await createOrg("SettingsEvents");
    const events = await eventsWrittenBy(org.orgId, async () =>
      saveSessionSettings(await stepUp(org.admin), {
        ...DEFAULT_POLICY,
        allowedAaguids: [],
        blockedAaguids: [],
        allowSecurityKeys: true,
        allowTotp: false,
        version: 0,
      }),
    );
    expect(events.map((e) => [e.type, e.field, e.oldValue, e.newValue])).toEqual([
      ["settings.updated", "Let users verify their identity with an authenticator app (TOTP)", "True", "False"],
      ["settings.updated", "Let users verify their identity with a physical security key (U2F)", "False", "True"],
    ]);
    expect(events.every((e) => e.actorId === org.adminId && e.targetUserId === null)).toBe(true);
  });

  it("a credential's registration and removal events carry the same credential id, AAGUID, name and verified-or-claimed model", async () => {
    const { org, user, ctx, key, registered } = await userWithKey("KeyEvents");
    expect(registered).toHaveLength(1);
    expect(registered[0]).toMatchObject({
      type: "user.security_key.registered",
      actorKind: "user",
      actorId: user.userId,
      targetUserId: user.userId,
      targetCredentialId: key.id,
      targetCredentialName: key.name,
      targetCredentialAaguid: key.aaguid,
      targetCredentialModelVerified: key.modelProven,
    });
    // Naming the key is an event of its own: the recorded registration is never rewritten.
    const renamed = await eventsWrittenBy(org.orgId, () => renameOwnKey(ctx, key.id, "Desk key"));
    expect(renamed).toMatchObject([
      { type: "user.security_key.renamed", targetCredentialId: key.id, targetCredentialName: "Desk key", data: { from: key.name } },
    ]);
    expect(await db().securityEvent.findUniqueOrThrow({ where: { id: registered[0]!.id } })).toMatchObject({ targetCredentialName: key.name });
    const removed = await eventsWrittenBy(org.orgId, async () => removeOwnKey(await stepUp(ctx), key.id));
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({
      type: "user.security_key.removed",
      targetCredentialId: key.id,
      targetCredentialName: "Desk key",
      targetCredentialAaguid: key.aaguid,
      targetCredentialModelVerified: key.modelProven,
      data: { by: "self" },
    });
  });

  it("an admin removing a key: one event, shown in the Setup Audit Trail and Identity Verification History", async () => {
    const { org, user, key } = await userWithKey("AdminKeyEvents");
    const events = await eventsWrittenBy(org.orgId, async () => removeUserKey(await stepUp(org.admin), user.userId, key.id, "Lost on a train"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "user.security_key.removed", actorId: org.adminId, targetUserId: user.userId, targetCredentialId: key.id });
    const rowId = ulidToUuid(events[0]!.id);
    expect(await db().auditEvent.findUniqueOrThrow({ where: { id: rowId } })).toMatchObject({
      action: "Removed security key",
      newValue: "Reason: Lost on a train",
    });
    expect(await db().verificationEvent.findUniqueOrThrow({ where: { id: rowId } })).toMatchObject({
      activity: "Remove security key",
      detail: "Removed by AdminKeyEvents Admin: Lost on a train",
    });
    // The trail names the row's target: the user, and the key.
    const { rows } = await listAuditEvents(org.admin, { from: null, to: null, page: 1 });
    expect(rows.find((row) => row.id === rowId)!.target).toBe(`User ${user.username} (${user.username}) · security key “${key.name}”`);
  });

  it("a login: the password failure is anonymous, the key step and the session are the user's, each one event", async () => {
    const { org, user, key, authenticator, credential } = await userWithKey("LoginEvents");
    const failed = await eventsWrittenBy(org.orgId, async () =>
      expect(await rejectionOf(authenticateWithPassword(user.username, "wrong-password-123", TEST_REQUEST))).toBeInstanceOf(InvalidCredentialsError),
    );
    expect(failed).toEqual([
      expect.objectContaining({ type: "user.login.failed", outcome: "failure", actorKind: "anonymous", actorId: null, targetUserId: user.userId }),
    ]);
    expect(await db().loginAttempt.findUniqueOrThrow({ where: { id: ulidToUuid(failed[0]!.id) } })).toMatchObject({ result: "Invalid password" });

    const deviceCookie = await activatedDeviceCookie(user.username);
    let pendingToken = "";
    const password = await eventsWrittenBy(org.orgId, async () => {
      pendingToken = (await authenticateWithPassword(user.username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie })).pendingToken;
    });
    expect(password).toEqual([expect.objectContaining({ type: "user.login.verification_required", actorKind: "user", actorId: user.userId })]);

    const keyStep = await eventsWrittenBy(org.orgId, async () => {
      const pending = await requirePendingLogin(pendingToken);
      const { challenge } = await startKeyVerification(pending);
      await verifyWithKey(pending, authenticator.assert(credential, challenge), TEST_REQUEST);
    });
    expect(keyStep).toEqual([
      expect.objectContaining({
        type: "user.verification.succeeded",
        actorKind: "user",
        actorId: user.userId,
        actorName: `User ${user.username}`,
        targetUserId: user.userId,
        targetCredentialId: key.id,
        targetCredentialAaguid: key.aaguid,
        data: { method: "security-key", purpose: "login", deviceActivated: false },
      }),
    ]);
    expect(await db().verificationEvent.findUniqueOrThrow({ where: { id: ulidToUuid(keyStep[0]!.id) } })).toMatchObject({
      method: "Security key",
      activity: "Login",
      result: "Succeeded",
      detail: key.name,
    });

    const session = await eventsWrittenBy(org.orgId, () => completePendingLogin(pendingToken, TEST_REQUEST));
    expect(session).toEqual([
      expect.objectContaining({ type: "user.login.succeeded", actorId: user.userId, targetUserId: user.userId, targetUsername: user.username }),
    ]);
    expect(await db().loginAttempt.findUniqueOrThrow({ where: { id: ulidToUuid(session[0]!.id) } })).toMatchObject({
      result: "Success",
      username: user.username,
    });
  });

  it("a user forgetting their own activated browser: one event, the user as actor", async () => {
    const org = await createOrg("OwnDevice");
    const user = await createUser(org.admin);
    await activatedDeviceCookie(user.username);
    const device = await db().activatedDevice.findFirstOrThrow({ where: { userId: user.userId } });
    const { ctx } = await signIn(user.userId);
    const events = await eventsWrittenBy(org.orgId, () => revokeOwnDevice(ctx, device.id));
    expect(events).toMatchObject([{ type: "user.device.revoked", actorKind: "user", actorId: user.userId, targetUserId: user.userId }]);
    // Twice is not found, and records nothing.
    expect(await eventsWrittenBy(org.orgId, () => revokeOwnDevice(ctx, device.id).catch(() => undefined))).toEqual([]);
  });

  it("a stranger's password reset request names nobody as the actor", async () => {
    const org = await createOrg("ResetEvents");
    const events = await eventsWrittenBy(org.orgId, () => requestPasswordReset(org.adminUsername, TEST_REQUEST, { minDurationMs: 0 }));
    expect(events).toEqual([expect.objectContaining({ type: "user.password.reset_requested", actorKind: "anonymous", targetUserId: org.adminId })]);
  });

  it("a change that rolls back leaves no event, no history row and no gap in the numbers", async () => {
    const org = await createOrg("Rollback");
    const dana = await createUser(org.admin);
    const before = await lastSeq(org.orgId);
    const rows = await db().auditEvent.count({ where: { orgId: org.orgId } });
    const failure = await rejectionOf(
      withEvents(async (tx) => {
        await tx.user.updateMany({ where: { id: dana.userId, orgId: org.orgId }, data: { role: "ADMIN" } });
        await recordEvent(org.admin, { type: "user.role.changed", user: { id: dana.userId }, data: { from: "STANDARD", to: "ADMIN" } }, tx);
        throw new Error("the change failed after its event");
      }),
    );
    expect(failure.message).toBe("the change failed after its event");
    expect(await lastSeq(org.orgId)).toBe(before);
    expect(await eventsOf(org.orgId, before)).toEqual([]);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId } })).toBe(rows);
    expect((await db().user.findUniqueOrThrow({ where: { id: dana.userId } })).role).toBe("STANDARD");

    await setUserRole(await stepUp(org.admin), dana.userId, "ADMIN");
    const all = await eventsOf(org.orgId);
    expect(all.map((e) => Number(e.seq))).toEqual(all.map((_, i) => i + 1));
  });

  it("refuses an event in a transaction not opened with withEvents, which would never write it", async () => {
    const org = await createOrg("NoWithEvents");
    const error = await rejectionOf(db().$transaction((tx) => recordEvent(org.admin, { type: "user.invitation.accepted", user: { id: org.adminId } }, tx)));
    expect(error.message).toMatch(/withEvents/);
  });

  it("numbers each org's events on their own", async () => {
    const acme = await createOrg("AcmeSeq");
    const globex = await createOrg("GlobexSeq");
    const [a, g] = [await eventsOf(acme.orgId), await eventsOf(globex.orgId)];
    expect(a.map((e) => Number(e.seq))).toEqual(a.map((_, i) => i + 1));
    expect(g.map((e) => Number(e.seq))).toEqual(g.map((_, i) => i + 1));
    expect(a[0]).toMatchObject({ type: "org.created", data: { name: "AcmeSeq", slug: acme.slug } });
  });

  it("writes only types from the closed list", async () => {
    const types = await db().securityEvent.findMany({ distinct: ["type"], select: { type: true } });
    for (const { type } of types) expect(SECURITY_EVENT_TYPES).toContain(type);
  });
});
