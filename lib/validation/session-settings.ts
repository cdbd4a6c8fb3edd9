import "server-only";
import { z } from "zod";
import {
  AUTHENTICATOR_TYPE_LABELS,
  MAX_AAGUIDS_PER_LIST,
  REAUTH_WINDOW_RANGE,
  ROLE_REQUIREMENT_LABELS,
  TIMEOUT_CHOICES,
  USER_VERIFICATION_LABELS,
  timeoutLabel,
  type AuthenticatorType,
  type RoleRequirement,
  type UserVerification,
} from "../policy/rules";
import { optionalDaySchema } from "./dates";

// The Session Settings form. Every field is parsed here; an invalid one fails
// the whole save, so nothing is written unless all of them are valid.

/** An HTML checkbox: "on" when ticked, absent when not (booleans for callers that are not forms). */
const checkbox = z
  .union([z.boolean(), z.enum(["on", "true", "false"])], { message: "Tick or untick this box." })
  .optional()
  .transform((value) => value === true || value === "on" || value === "true");

const AAGUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One AAGUID per line (commas and spaces also separate); stored lower-case, sorted, without duplicates. */
const aaguidList = z
  .union([z.string().max(10_000, "This list is too long."), z.array(z.string().max(100))], { message: "Enter one AAGUID per line." })
  .optional()
  .transform((value, ctx) => {
    const entries = (Array.isArray(value) ? value : (value ?? "").split(/[\s,;]+/)).map((s) => s.trim().toLowerCase()).filter(Boolean);
    const malformed = entries.find((entry) => !AAGUID_PATTERN.test(entry));
    if (malformed) {
      const shown = malformed.length > 40 ? `${malformed.slice(0, 40)}…` : malformed;
      ctx.addIssue({
        code: "custom",
        message: `“${shown}” is not an AAGUID. Use the 36-character form, e.g. cb69481e-8ff7-4039-93ec-0a2729a154a8.`,
      });
      return z.NEVER;
    }
    const unique = [...new Set(entries)].sort();
    if (unique.length > MAX_AAGUIDS_PER_LIST) {
      ctx.addIssue({ code: "custom", message: `List at most ${MAX_AAGUIDS_PER_LIST} authenticator models.` });
      return z.NEVER;
    }
    return unique;
  });

const userVerificationValues = Object.keys(USER_VERIFICATION_LABELS) as [UserVerification, ...UserVerification[]];
const authenticatorTypeValues = Object.keys(AUTHENTICATOR_TYPE_LABELS) as [AuthenticatorType, ...AuthenticatorType[]];
const timeoutMessage = `Choose a timeout between ${timeoutLabel(TIMEOUT_CHOICES[0])} and ${timeoutLabel(TIMEOUT_CHOICES.at(-1)!)}.`;
const roleRequirementValues = Object.keys(ROLE_REQUIREMENT_LABELS) as [RoleRequirement, ...RoleRequirement[]];
const roleRequirementMessage = `Choose “${ROLE_REQUIREMENT_LABELS.ANY_METHOD}” or “${ROLE_REQUIREMENT_LABELS.SECURITY_KEY}”.`;
/** "Required verification" of a role: absent means the default, "Any method the org allows". */
const roleRequirement = z.enum(roleRequirementValues, { message: roleRequirementMessage }).optional().default("ANY_METHOD");
/** "Required from" of a role: a UTC day, or none (at once). A day in the past is allowed: the preview says it applies now. */
const requiredFrom = optionalDaySchema()
  .optional()
  .transform((day) => day ?? null);
export const KEYS_OFF_FOR_ROLE = "“Security key only” needs security keys: tick “Let users verify their identity with a physical security key (U2F)” first.";
/** The roles whose requirement the form sets, as their fields' prefix. */
const ROLE_PREFIXES = ["admin", "standard"];
const ROLE_FIELD_PATTERN = /^([A-Za-z]+?)(Requirement|RequiredFrom)$/;
const reauthMessage = `Enter a whole number of minutes from ${REAUTH_WINDOW_RANGE.min} to ${REAUTH_WINDOW_RANGE.max}.`;

/** The Session Settings document's fields (an object schema, for callers that need its shape). */
export const sessionSettingsObject = z
  .object({
    version: z
      .union([z.string().regex(/^\d{1,9}$/), z.number().int().min(0).max(999_999_999)], { message: "Reload the page and try again." })
      .transform(Number),
    allowSecurityKeys: checkbox,
    requireMfa: checkbox,
    mfaRequiredFrom: optionalDaySchema()
      .optional()
      .transform((day) => day ?? null),
    allowTotp: checkbox,
    requireDeviceActivation: checkbox,
    reauthWindowMinutes: z
      .union(
        [
          z
            .string()
            .trim()
            .regex(/^\d{1,3}$/, reauthMessage),
          z.number().int(reauthMessage),
        ],
        { message: reauthMessage },
      )
      .transform(Number)
      .pipe(z.number().min(REAUTH_WINDOW_RANGE.min, reauthMessage).max(REAUTH_WINDOW_RANGE.max, reauthMessage)),
    userVerification: z.enum(userVerificationValues, { message: "Choose Discouraged, Preferred or Required." }),
    authenticatorType: z.enum(authenticatorTypeValues, { message: "Choose an authenticator type." }),
    requireVerifiedModels: checkbox,
    allowedAaguids: aaguidList,
    blockedAaguids: aaguidList,
    adminRequirement: roleRequirement,
    adminRequiredFrom: requiredFrom,
    standardRequirement: roleRequirement,
    standardRequiredFrom: requiredFrom,
    sessionTimeoutMinutes: z
      .union(
        [
          z
            .string()
            .trim()
            .regex(/^\d{1,5}$/, timeoutMessage),
          z.number(),
        ],
        { message: timeoutMessage },
      )
      .transform(Number)
      .refine((minutes) => (TIMEOUT_CHOICES as readonly number[]).includes(minutes), timeoutMessage),
    lockSessionsToIp: checkbox,
  })
  .superRefine((input, ctx) => {
    const both = input.blockedAaguids.find((id) => input.allowedAaguids.includes(id));
    if (both) {
      ctx.addIssue({ code: "custom", path: ["blockedAaguids"], message: `${both} is also in Allowed authenticator models. List a model in one place only.` });
    }
    for (const field of ["adminRequirement", "standardRequirement"] as const) {
      if (input[field] === "SECURITY_KEY" && !input.allowSecurityKeys) ctx.addIssue({ code: "custom", path: [field], message: KEYS_OFF_FOR_ROLE });
    }
  });

/**
 * The Session Settings form or document. A role requirement of a role Gatehouse does not have ("ownerRequirement")
 * is refused, not silently dropped: whoever sent it believes they set something.
 */
export const sessionSettingsSchema = z.preprocess((input, ctx) => {
  if (input && typeof input === "object") {
    for (const key of Object.keys(input)) {
      const role = Object.hasOwn(sessionSettingsObject.shape, key) ? undefined : ROLE_FIELD_PATTERN.exec(key)?.[1];
      if (role && !ROLE_PREFIXES.includes(role)) {
        ctx.addIssue({ code: "custom", path: [key], message: `There is no role “${role}”. Requirements are set for Admin and Standard.` });
      }
    }
  }
  return input;
}, sessionSettingsObject);

export type SessionSettingsInput = z.infer<typeof sessionSettingsSchema>;
