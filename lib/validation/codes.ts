import "server-only";
import { z } from "zod";
import { authenticationResponseSchema } from "./webauthn";

// One-time codes typed by people: the emailed device-activation and
// enrolment codes, codes from an authenticator app, recovery and temporary
// codes; and the re-authentication steps that take them.

const sixDigits = (message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{6}$/, message);

export const emailCodeSchema = z.object({
  code: z
    .string()
    .transform((s) => s.replace(/\s+/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from the email.")),
});

/** Proving the mailbox before a first factor under required MFA: "Email me a code" takes nothing; "Confirm" takes the emailed code. */
export const sendEnrolmentCodeSchema = z.object({});
export const enrolmentCodeSchema = emailCodeSchema;

export const oneTimeCodeSchema = z.object({
  kind: z.enum(["authenticator-app", "recovery-code", "temporary-code"]),
  code: z.string().trim().min(1, "Enter the code.").max(64, "That code is too long."),
});

/** Connecting an authenticator app: its first code. */
export const authenticatorCodeSchema = z.object({ code: sixDigits("Enter the 6-digit code.") });

export const reauthPasswordSchema = z.object({ password: z.string().min(1, "Enter your password.").max(256) });
export const reauthKeySchema = z.object({ response: authenticationResponseSchema });
export const reauthAppSchema = z.object({
  token: z.string().min(1).max(100),
  code: sixDigits("Enter the 6-digit code from your app."),
});
