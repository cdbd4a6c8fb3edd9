"use server";

import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { revokeOwnDevice } from "@/lib/auth/devices";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
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
