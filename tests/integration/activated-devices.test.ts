import { describe, expect, it, vi } from "vitest";
import { revokeUserDeviceAction } from "@/app/(app)/setup/users/actions";
import { revokeOwnDeviceAction } from "@/app/(app)/settings/advanced/actions";
import { listOwnDevices, listUserDevices } from "@/lib/auth/login/devices";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { db } from "@/lib/db/client";
import { useTestDatabase } from "../support/database";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, signIn } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { actAs, isForbiddenSignal } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

async function userWithDevice(orgName: string) {
  const org = await createOrg(orgName);
  const user = await createUser(org.admin);
  const cookie = await activatedDeviceCookie(user.username);
  const { ctx, token } = await signIn(user.userId);
  const [device] = await listOwnDevices(ctx);
  return { org, user, cookie, ctx, token, device: device! };
}

const needsActivation = async (username: string, deviceCookie: string | null) =>
  (await authenticateWithPassword(username, TEST_PASSWORD, { ...TEST_REQUEST, deviceCookie })).needs.deviceActivation;

describe("activated devices", () => {
  it("a user revokes their own device: its next login needs device activation again", async () => {
    const { user, cookie, token, device } = await userWithDevice("Own");
    expect(await needsActivation(user.username, cookie)).toBe(false);
    await actAs(token);
    expect(await revokeOwnDeviceAction({ deviceId: device.id })).toEqual({ ok: true, data: undefined });
    expect(await needsActivation(user.username, cookie)).toBe(true);
  });

  it("an admin revokes a user's device, audited; another org's admin gets not found and a standard user 403, changing nothing", async () => {
    const { org, user, cookie, device } = await userWithDevice("Acme");
    const globex = await createOrg("Globex");
    const colleague = await signIn((await createUser(org.admin)).userId);

    await actAs((await signIn(globex.adminId)).token);
    expect(await revokeUserDeviceAction({ userId: user.userId, deviceId: device.id })).toMatchObject({ ok: false, error: "That device was not found." });
    await actAs(colleague.token);
    await expect(revokeUserDeviceAction({ userId: user.userId, deviceId: device.id })).rejects.toSatisfy(isForbiddenSignal);
    await expect(revokeOwnDeviceAction({ deviceId: device.id })).resolves.toMatchObject({ ok: false, error: "That device was not found." });
    expect(await needsActivation(user.username, cookie)).toBe(false);

    await actAs((await signIn(org.adminId)).token);
    expect(await revokeUserDeviceAction({ userId: user.userId, deviceId: device.id })).toEqual({ ok: true, data: undefined });
    expect(await listUserDevices(org.admin, user.userId)).toEqual([]);
    expect(await needsActivation(user.username, cookie)).toBe(true);
    expect(await db().auditEvent.count({ where: { orgId: org.orgId, action: "Revoked activated device", targetId: user.userId } })).toBe(1);
  });
});
