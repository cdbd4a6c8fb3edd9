import { z } from "zod";
import { TOKEN_GRANTABLE_PERMISSIONS, type Permission } from "../auth/permissions";

// What a new API token may be (DESIGN.md section 12): the form, the action
// and the operator's command line validate with these. No server imports: the
// page's form reads the same limits.

/** A token lives at most this long: a leaked secret stops working within a year. */
export const MAX_API_TOKEN_DAYS = 366;

/** The expiries the page offers. */
export const API_TOKEN_EXPIRY_CHOICES = [30, 90, 180, 366] as const;

export const apiTokenNameSchema = z.string().trim().min(1, "Enter a name.").max(100, "Use at most 100 characters.");

const grantable = new Set<string>(TOKEN_GRANTABLE_PERMISSIONS);

export const apiTokenScopesSchema = z.preprocess(
  // A form posts one checked box as a string, none as nothing.
  (value) => (value === undefined || value === null || value === "" ? [] : Array.isArray(value) ? value : [value]),
  z
    .array(z.string(), { message: "Choose at least one scope." })
    .min(1, "Choose at least one scope.")
    .max(TOKEN_GRANTABLE_PERMISSIONS.length * 2, "Choose scopes from the list.")
    // One message for the whole list (not per item): the form shows it under the checkboxes.
    .refine((scopes) => scopes.every((s) => grantable.has(s)), "Choose scopes from the list.")
    .transform((scopes) => [...new Set(scopes)] as Permission[]),
);

export const apiTokenExpiresInDaysSchema = z.coerce
  .number({ message: "Choose when the token expires." })
  .int("Choose when the token expires.")
  .min(1, "A token must expire at least a day from now.")
  .max(MAX_API_TOKEN_DAYS, `A token expires in at most ${MAX_API_TOKEN_DAYS} days.`);

/** An admin's new token, from Setup → API Tokens. */
export const createApiTokenSchema = z.object({
  name: apiTokenNameSchema,
  scopes: apiTokenScopesSchema,
  expiresInDays: apiTokenExpiresInDaysSchema,
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

/** The operator's `token:create`: scopes and expiry must be named, there are no defaults. */
export const createSystemTokenSchema = createApiTokenSchema.extend({
  orgSlug: z.string().trim().min(1, "Name the org (its slug).").max(40, "Org slugs are at most 40 characters."),
});
export type CreateSystemTokenInput = z.input<typeof createSystemTokenSchema>;

export const apiTokenIdSchema = z.uuid({ message: "That token was not found." });
