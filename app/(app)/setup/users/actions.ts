"use server";

import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { orgAction } from "@/lib/auth/action";
import { revokeUserDevice } from "@/lib/auth/devices";
import { requestInfo } from "@/lib/http/request-info";
import { addUser, resendInvitation, revokeSession, setUserActive } from "@/lib/users/mutations";
import { addUserSchema, idSchema } from "@/lib/validation/account";

export const addUserAction = orgAction({ role: "ADMIN", schema: addUserSchema }, async (ctx, input) => {
  const result = await addUser(ctx, input);
  revalidatePath("/setup/users");
  return result;
});

export const setUserActiveAction = orgAction(
  { role: "ADMIN", schema: z.object({ userId: idSchema, active: z.enum(["true", "false"]) }) },
  async (ctx, input) => {
    await setUserActive(ctx, input.userId, input.active === "true");
    revalidatePath(`/setup/users/${input.userId}`);
  },
);

export const revokeSessionAction = orgAction(
  { role: "ADMIN", schema: z.object({ sessionId: idSchema, userId: idSchema }) },
  async (ctx, input) => {
    await revokeSession(ctx, input.sessionId);
    revalidatePath(`/setup/users/${input.userId}`);
  },
);

export const resendInvitationAction = orgAction({ role: "ADMIN", schema: z.object({ userId: idSchema }) }, async (ctx, input) => {
  await resendInvitation(ctx, input.userId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** An admin revokes one of a user's activated browsers (another org's user or device: not found). */
export const revokeUserDeviceAction = orgAction(
  { role: "ADMIN", schema: z.object({ deviceId: idSchema, userId: idSchema }) },
  async (ctx, input) => {
    await revokeUserDevice(ctx, input.userId, input.deviceId, requestInfo(await headers()));
    revalidatePath(`/setup/users/${input.userId}`);
  },
);
