"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { revokeOwnDevice } from "@/lib/auth/devices";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { confirmAuthenticatorEnrolment, disconnectOwnAuthenticator, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { requestInfo } from "@/lib/http/request-info";
import { removeOwnKey, renameOwnKey } from "@/lib/webauthn/keys";
import { loadKeySettings } from "@/lib/webauthn/settings";
import { revokeSession } from "@/lib/users/mutations";
import { removeKeySchema, renameKeySchema } from "@/lib/validation/webauthn";
import { z } from "zod";

export const renameKeyAction = orgAction({ schema: renameKeySchema }, async (ctx, input) => {
  await renameOwnKey(ctx, input.keyId, input.name);
  revalidatePath("/settings/advanced");
});

export const removeKeyAction = orgAction({ schema: removeKeySchema }, async (ctx, input) => {
  await removeOwnKey(ctx, input.keyId, await loadKeySettings(ctx), requestInfo(await headers()));
  revalidatePath("/settings/advanced");
});

/** "Log out" of one of the user's own other sessions (another user's session id is not found). */
export const endOwnSessionAction = orgAction({ schema: z.object({ sessionId: z.string().uuid() }) }, async (ctx, input) => {
  await revokeSession(ctx, input.sessionId);
  revalidatePath("/settings/advanced");
});

/** "Revoke" one of the user's activated browsers: its next login needs device activation again. */
export const revokeOwnDeviceAction = orgAction({ schema: z.object({ deviceId: z.string().uuid() }) }, async (ctx, input) => {
  await revokeOwnDevice(ctx, input.deviceId);
  revalidatePath("/settings/advanced");
});

/** Generates a new set of recovery codes (after re-authentication); the codes are returned once, to be shown once. */
export const generateRecoveryCodesAction = orgAction({ schema: z.object({}) }, async (ctx) => {
  const codes = await generateRecoveryCodes(ctx, (await loadKeySettings(ctx)).reauthWindowMinutes, requestInfo(await headers()));
  revalidatePath("/settings/advanced");
  return { codes };
});

/** Authenticator app, step 1 (after re-authentication): a secret, its QR code and otpauth URI. */
export const startAuthenticatorAction = orgAction({ schema: z.object({}) }, async (ctx) =>
  startAuthenticatorEnrolment(ctx, (await loadKeySettings(ctx)).reauthWindowMinutes),
);

/** Authenticator app, step 2: the first code connects it. */
export const confirmAuthenticatorAction = orgAction({ schema: z.object({ code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code.") }) }, async (ctx, input) => {
  await confirmAuthenticatorEnrolment(ctx, input.code, requestInfo(await headers()));
  revalidatePath("/settings/advanced");
});

export const disconnectAuthenticatorAction = orgAction({ schema: z.object({}) }, async (ctx) => {
  await disconnectOwnAuthenticator(ctx, (await loadKeySettings(ctx)).reauthWindowMinutes, requestInfo(await headers()));
  revalidatePath("/settings/advanced");
});
