"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { orgAction } from "@/lib/auth/action";
import { revokeUserDevice } from "@/lib/auth/login/devices";
import { invalidateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { disconnectUserAuthenticator } from "@/lib/verification/authenticator-app";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { removeUserKey } from "@/lib/webauthn/keys";
import { addUser, resendInvitation, revokeUserSession, setUserActive, setUserRole } from "@/lib/users/mutations";
import { adminResetPassword } from "@/lib/users/password-reset";
import { addUserSchema, idSchema, roleSchema } from "@/lib/validation/account";
import { clearKeyFlag } from "@/lib/webauthn/flags";
import { removeSuspendedFactor, restoreSuspendedFactor } from "@/lib/users/admin-recovery";

export const addUserAction = orgAction(
  { role: "ADMIN", schema: addUserSchema, stepUp: (input: { role: string }) => input.role === "ADMIN" },
  async (ctx, input) => {
    const result = await addUser(ctx, input);
    revalidatePath("/setup/users");
    return result;
  },
);

export const setUserActiveAction = orgAction(
  { role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema, active: z.enum(["true", "false"]) }) },
  async (ctx, input) => {
    await setUserActive(ctx, input.userId, input.active === "true");
    revalidatePath(`/setup/users/${input.userId}`);
  },
);

export const revokeSessionAction = orgAction({ role: "ADMIN", schema: z.object({ sessionId: idSchema, userId: idSchema }) }, async (ctx, input) => {
  await revokeUserSession(ctx, input.sessionId);
  revalidatePath(`/setup/users/${input.userId}`);
});

export const resendInvitationAction = orgAction({ role: "ADMIN", schema: z.object({ userId: idSchema }) }, async (ctx, input) => {
  await resendInvitation(ctx, input.userId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** "Reset password" (after the admin's fresh "verify it's you"): the old password stops working, a set-password link is emailed, the user's sessions end. */
export const resetUserPasswordAction = orgAction({ role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema }) }, async (ctx, input) => {
  await adminResetPassword(ctx, input.userId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** An admin revokes one of a user's activated browsers (another org's user or device: not found). */
export const revokeUserDeviceAction = orgAction({ role: "ADMIN", schema: z.object({ deviceId: idSchema, userId: idSchema }) }, async (ctx, input) => {
  await revokeUserDevice(ctx, input.userId, input.deviceId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** Removes a user's lost or stolen key, with a reason; the user is emailed. */
export const removeUserKeyAction = orgAction(
  {
    role: "ADMIN",
    stepUp: true,
    schema: z.object({ userId: idSchema, keyId: idSchema, reason: z.string().trim().min(1, "Give a reason.").max(200, "Use at most 200 characters.") }),
  },
  async (ctx, input) => {
    await removeUserKey(ctx, input.userId, input.keyId, input.reason);
    revalidatePath(`/setup/users/${input.userId}`);
  },
);

/** Clears a key's "Possible cloned key" flag after review (audited); the key works again. */
export const clearKeyFlagAction = orgAction({ role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema, keyId: idSchema }) }, async (ctx, input) => {
  await clearKeyFlag(ctx, input.userId, input.keyId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** Issues a temporary verification code (needs the admin's own fresh re-authentication); returned once, to be shown once. */
export const issueTemporaryCodeAction = orgAction(
  {
    role: "ADMIN",
    stepUp: true,
    schema: z.object({
      userId: idSchema,
      hours: z.coerce.number().int("Choose 1 to 24 hours.").min(1, "Choose 1 to 24 hours.").max(24, "Choose 1 to 24 hours."),
    }),
  },
  async (ctx, input) => {
    const { code, expiresAt } = await issueTemporaryCode(ctx, input.userId, input.hours);
    revalidatePath(`/setup/users/${input.userId}`);
    return { code, expiresAt: expiresAt.toISOString() };
  },
);

/** Invalidates all of a user's recovery codes. */
export const invalidateRecoveryCodesAction = orgAction({ role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema }) }, async (ctx, input) => {
  await invalidateRecoveryCodes(ctx, input.userId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** Disconnects a user's authenticator app; the user is emailed. */
export const disconnectUserAuthenticatorAction = orgAction({ role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema }) }, async (ctx, input) => {
  await disconnectUserAuthenticator(ctx, input.userId);
  revalidatePath(`/setup/users/${input.userId}`);
});

/** Changes another user's role (audited). */
export const setUserRoleAction = orgAction({ role: "ADMIN", stepUp: true, schema: z.object({ userId: idSchema, role: roleSchema }) }, async (ctx, input) => {
  await setUserRole(ctx, input.userId, input.role);
  revalidatePath(`/setup/users/${input.userId}`);
});

const suspendedFactorSchema = z.object({
  userId: idSchema,
  kind: z.enum(["security-key", "authenticator-app", "recovery-codes"]),
  factorId: idSchema,
});

/** Restores a method a "This wasn't me" report suspended, once the admin has checked with the user it is theirs (fresh "verify it's you"; audited). */
export const restoreSuspendedFactorAction = orgAction({ role: "ADMIN", stepUp: true, schema: suspendedFactorSchema }, async (ctx, input) => {
  await restoreSuspendedFactor(ctx, input.userId, { kind: input.kind, id: input.factorId });
  revalidatePath(`/setup/users/${input.userId}`);
});

/** Removes a suspended method the user doesn't recognise (fresh "verify it's you"; audited). */
export const removeSuspendedFactorAction = orgAction({ role: "ADMIN", stepUp: true, schema: suspendedFactorSchema }, async (ctx, input) => {
  await removeSuspendedFactor(ctx, input.userId, { kind: input.kind, id: input.factorId });
  revalidatePath(`/setup/users/${input.userId}`);
});
