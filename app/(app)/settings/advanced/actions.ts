"use server";

import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { revokeOwnDevice } from "@/lib/auth/login/devices";
import { endOwnSession } from "@/lib/users/mutations";
import { authenticatorCodeSchema, enrolmentCodeSchema, sendEnrolmentCodeSchema } from "@/lib/validation/codes";
import { changePasswordSchema, idSchema } from "@/lib/validation/account";
import { changeOwnPassword } from "@/lib/users/password-changes";
import { removeKeySchema, renameKeySchema } from "@/lib/validation/webauthn";
import { confirmAuthenticatorEnrolment, disconnectOwnAuthenticator, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { sendEnrolmentCode, verifyEnrolmentCode } from "@/lib/verification/enrolment-proof";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { removeOwnKey, renameOwnKey } from "@/lib/webauthn/keys";
import { z } from "zod";

export const renameKeyAction = orgAction({ schema: renameKeySchema }, async (ctx, input) => {
  await renameOwnKey(ctx, input.keyId, input.name);
  revalidatePath("/settings/advanced");
});

export const removeKeyAction = orgAction({ schema: removeKeySchema, stepUp: true }, async (ctx, input) => {
  await removeOwnKey(ctx, input.keyId);
  revalidatePath("/settings/advanced");
});

/** "Log out" of one of the user's own other sessions (another user's session id is not found). */
export const endOwnSessionAction = orgAction({ schema: z.object({ sessionId: idSchema }) }, async (ctx, input) => {
  await endOwnSession(ctx, input.sessionId);
  revalidatePath("/settings/advanced");
});

/** "Change password" (after re-authentication): every other session of the user ends. */
export const changePasswordAction = orgAction({ schema: changePasswordSchema, stepUp: true }, async (ctx, input) => {
  await changeOwnPassword(ctx, input.password);
  revalidatePath("/settings/advanced");
});

/** "Revoke" one of the user's activated browsers: its next login needs device activation again. */
export const revokeOwnDeviceAction = orgAction({ schema: z.object({ deviceId: idSchema }) }, async (ctx, input) => {
  await revokeOwnDevice(ctx, input.deviceId);
  revalidatePath("/settings/advanced");
});

/** Generates a new set of recovery codes (after re-authentication); the codes are returned once, to be shown once. */
export const generateRecoveryCodesAction = orgAction({ schema: z.object({}), stepUp: true }, async (ctx) => {
  const codes = await generateRecoveryCodes(ctx);
  revalidatePath("/settings/advanced");
  return { codes };
});

/** Required-MFA enrolment, before a first factor: "Email me a code" to prove the mailbox. Open during MFA enrolment. */
export const sendEnrolmentCodeAction = orgAction({ schema: sendEnrolmentCodeSchema, duringEnrolment: true }, async (ctx) => {
  const { expiresAt } = await sendEnrolmentCode(ctx);
  return { expiresAt: expiresAt.toISOString() };
});

/** Required-MFA enrolment: the emailed code proves the mailbox, and registering a key or connecting an app may follow. Open during MFA enrolment. */
export const verifyEnrolmentCodeAction = orgAction({ schema: enrolmentCodeSchema, duringEnrolment: true }, async (ctx, input) => {
  await verifyEnrolmentCode(ctx, input.code);
  revalidatePath("/settings/advanced");
});

/** Authenticator app, step 1 (after re-authentication): a secret, its QR code and otpauth URI. Open during MFA enrolment. */
export const startAuthenticatorAction = orgAction({ schema: z.object({}), duringEnrolment: true, mailboxProof: true, stepUp: true }, async (ctx) =>
  startAuthenticatorEnrolment(ctx),
);

/** Authenticator app, step 2: the first code connects it. Open during MFA enrolment. */
export const confirmAuthenticatorAction = orgAction({ schema: authenticatorCodeSchema, duringEnrolment: true, mailboxProof: true }, async (ctx, input) => {
  await confirmAuthenticatorEnrolment(ctx, input.code);
  revalidatePath("/settings/advanced");
});

export const disconnectAuthenticatorAction = orgAction({ schema: z.object({}), stepUp: true }, async (ctx) => {
  await disconnectOwnAuthenticator(ctx);
  revalidatePath("/settings/advanced");
});
