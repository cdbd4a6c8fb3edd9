import "server-only";
import { z } from "zod";

import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_MESSAGES, passwordProblem } from "../auth/passwords/password-policy";

export { MIN_PASSWORD_LENGTH };

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Username is too long.")
  .pipe(z.email({ message: "Usernames look like an email address, e.g. ada@acme.test." }));

export const emailSchema = z
  .string()
  .trim()
  .max(254, "Email is too long.")
  .pipe(z.email({ message: "Enter a valid email address." }));

/**
 * A new password: length, and not common or leaked. Whether it contains the
 * username or org name is checked where those are known (assertPasswordAllowed).
 */
export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, PASSWORD_MESSAGES.tooShort)
  .max(MAX_PASSWORD_LENGTH, PASSWORD_MESSAGES.tooLong)
  .superRefine((password, ctx) => {
    const problem = passwordProblem(password);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const personNameSchema = z.string().trim().min(1, "Enter a name.").max(100, "Use at most 100 characters.");

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, "Use at least 2 characters.")
  .max(40, "Use at most 40 characters.")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters, digits and single hyphens, e.g. acme-corp.");

export const signupSchema = z.object({
  orgName: z.string().trim().min(1, "Enter your org's name.").max(100, "Use at most 100 characters."),
  slug: slugSchema,
  name: personNameSchema,
  email: emailSchema,
  password: passwordSchema,
});
export type SignupInput = z.infer<typeof signupSchema>;

/** Sign-up, step 2: the code emailed to the would-be admin (spaces ignored). The pending sign-up is named by its cookie. */
export const signupCodeSchema = z.object({
  code: z
    .string()
    .max(32, "Enter the 6-digit code from the email.")
    .transform((s) => s.replace(/\s+/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, "Enter the 6-digit code from the email.")),
});

/** The login form: shape only. Wrong values get the one generic message, never a field hint. */
export const loginSchema = z.object({
  username: z.string().trim().toLowerCase().min(1).max(254),
  password: z.string().min(1).max(256),
});

export const roleSchema = z.enum(["ADMIN", "STANDARD"], { message: "Choose Admin or Standard." });

export const addUserSchema = z.object({
  name: personNameSchema,
  username: usernameSchema,
  email: emailSchema,
  role: roleSchema,
});
export type AddUserInput = z.infer<typeof addUserSchema>;

/** The "Set your password" page: the token from the emailed link and the chosen password, twice. */
export const setPasswordSchema = z
  .object({
    token: z.string().min(1).max(128),
    password: passwordSchema,
    confirmPassword: z.string().max(256),
  })
  .refine((input) => input.password === input.confirmPassword, { path: ["confirmPassword"], message: "The passwords don't match." });
export type SetPasswordInput = z.infer<typeof setPasswordSchema>;

/** "Forgot your password?": the username only. */
export const forgotPasswordSchema = z.object({ username: usernameSchema });

/** "Change password" in Advanced User Details (after "verify it's you"): the new password, twice. */
export const changePasswordSchema = z
  .object({
    password: passwordSchema,
    confirmPassword: z.string().max(256),
  })
  .refine((input) => input.password === input.confirmPassword, { path: ["confirmPassword"], message: "The passwords don't match." });

/** The "This wasn't me" confirmation: the token from the emailed link. */
export const compromiseConfirmSchema = z.object({ token: z.string().min(1).max(128) });

export const userListQuerySchema = z.object({
  q: z.string().trim().max(100).optional().default(""),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
  method: z.enum(["none", "security-key", "authenticator-app", "recovery-codes", "role-requirement"]).optional(),
});

export const idSchema = z.string().uuid();

/** Zod issues as { field: first message }, for forms. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "form";
    out[key] ??= issue.message;
  }
  return out;
}
