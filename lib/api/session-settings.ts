import "server-only";
import { z } from "zod";
import { requirePermission, type TokenPrincipal } from "../auth/principal";
import { db } from "../db/client";
import { ConflictError } from "../errors";
import { STALE_SETTINGS, saveSessionSettings } from "../policy/mutations";
import {
  AUTHENTICATOR_TYPE_LABELS,
  FIELD_LABELS,
  MAX_AAGUIDS_PER_LIST,
  POLICY_FIELDS,
  REAUTH_WINDOW_RANGE,
  ROLE_REQUIREMENT_LABELS,
  TIMEOUT_CHOICES,
  USER_VERIFICATION_LABELS,
  diffPolicies,
  policyFromRow,
  type AuthenticatorType,
  type OrgPolicy,
  type PolicyField,
  type PolicyValues,
  type RoleRequirement,
  type UserVerification,
} from "../policy/rules";
import { settingsWarnings } from "../policy/warnings";
import { sessionSettingsSchema, type SessionSettingsInput } from "../validation/session-settings";
import { formatDay } from "../validation/dates";
import { ApiProblem, fieldErrorsFromZod, validationProblem } from "./problem";

// Session Settings as one JSON document (DESIGN.md section 12): exactly the
// fields of the page, with the page's names, types as JSON has them. The
// document's schema only shapes the JSON; the values then go through the
// page's own schema (lib/validation/session-settings.ts), so the API and the
// page accept and normalise exactly the same settings. A setting added to
// PolicyValues fails to compile here until the document has it too.

const aaguid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    "Use the 36-character form, e.g. cb69481e-8ff7-4039-93ec-0a2729a154a8.",
  )
  .meta({ example: "cb69481e-8ff7-4039-93ec-0a2729a154a8" });
const aaguidList = (label: string) =>
  z
    .array(aaguid)
    .max(MAX_AAGUIDS_PER_LIST)
    .meta({ description: `"${label}": AAGUIDs, stored lower-case and sorted.` });
const labelled = <S extends z.ZodType>(field: PolicyField, schema: S, extra = "") => schema.meta({ description: `"${FIELD_LABELS[field]}"${extra}` });

const roleRequirement = z.enum(Object.keys(ROLE_REQUIREMENT_LABELS) as [RoleRequirement, ...RoleRequirement[]]);
const requirementChoices = Object.entries(ROLE_REQUIREMENT_LABELS)
  .map(([value, label]) => `${value} ("${label}")`)
  .join(" or ");

const settingsFields = {
  allowSecurityKeys: labelled("allowSecurityKeys", z.boolean()),
  requireMfa: labelled("requireMfa", z.boolean()),
  mfaRequiredFrom: labelled("mfaRequiredFrom", z.iso.date().nullable(), ": a UTC day before which users may skip MFA; null for none."),
  allowTotp: labelled("allowTotp", z.boolean()),
  requireDeviceActivation: labelled("requireDeviceActivation", z.boolean()),
  reauthWindowMinutes: labelled("reauthWindowMinutes", z.number().int().min(REAUTH_WINDOW_RANGE.min).max(REAUTH_WINDOW_RANGE.max)),
  userVerification: labelled("userVerification", z.enum(Object.keys(USER_VERIFICATION_LABELS) as [UserVerification, ...UserVerification[]])),
  authenticatorType: labelled("authenticatorType", z.enum(Object.keys(AUTHENTICATOR_TYPE_LABELS) as [AuthenticatorType, ...AuthenticatorType[]])),
  requireVerifiedModels: labelled("requireVerifiedModels", z.boolean()),
  allowedAaguids: aaguidList(FIELD_LABELS.allowedAaguids),
  blockedAaguids: aaguidList(FIELD_LABELS.blockedAaguids),
  adminRequirement: labelled("adminRequirement", roleRequirement, `: ${requirementChoices}.`),
  adminRequiredFrom: labelled("adminRequiredFrom", z.iso.date().nullable(), ": a UTC day; null for at once."),
  standardRequirement: labelled("standardRequirement", roleRequirement, `: ${requirementChoices}.`),
  standardRequiredFrom: labelled("standardRequiredFrom", z.iso.date().nullable(), ": a UTC day; null for at once."),
  sessionTimeoutMinutes: labelled("sessionTimeoutMinutes", z.literal([...TIMEOUT_CHOICES]), ": the idle timeout in minutes."),
  lockSessionsToIp: labelled("lockSessionsToIp", z.boolean()),
} satisfies Record<PolicyField, z.ZodType>;

export const sessionSettingsDocument = z
  .strictObject(settingsFields)
  .meta({ id: "SessionSettings", description: "The org's Session Settings, as the page shows them." });
export const sessionSettingsPatch = z
  .strictObject(settingsFields)
  .partial()
  .meta({ id: "SessionSettingsPatch", description: "Some of the Session Settings: only the fields given change." });

export type SessionSettingsDocument = z.infer<typeof sessionSettingsDocument>;

export const settingsChangeSchema = z
  .object({
    field: z.string().meta({ description: "The document's field name." }),
    label: z.string().meta({ description: "The field as the page and the Setup Audit Trail name it." }),
    old: z.unknown().meta({ description: "The current value, as in the document." }),
    new: z.unknown().meta({ description: "The value after the change." }),
  })
  .meta({ id: "SettingsChange" });

export const settingsWarningSchema = z
  .object({
    code: z.string().meta({ description: "Stable: users-left-without-method, keys-would-stop-working, mfa-required-at-once, …" }),
    message: z.string().meta({ description: "The warning as the page shows it." }),
    role: z.enum(["ADMIN", "STANDARD"]).optional().meta({ description: "For a role's requirement: the role it is about." }),
  })
  .meta({ id: "SettingsWarning" });

export const settingsPreviewSchema = z
  .object({ changes: z.array(settingsChangeSchema), warnings: z.array(settingsWarningSchema) })
  .meta({ id: "SessionSettingsPreview", description: "What a write would change and the warnings the page shows; nothing was written." });

export const settingsWriteResultSchema = z
  .object({ settings: sessionSettingsDocument, changes: z.array(settingsChangeSchema), warnings: z.array(settingsWarningSchema) })
  .meta({ id: "SessionSettingsWriteResult" });

export const etagHeaders = z.object({ ETag: z.string().meta({ description: 'The settings\' version, e.g. "7": send it back in If-Match to write.' }) });
export const ifMatchHeader = z.object({
  "If-Match": z
    .string()
    .optional()
    .meta({ description: 'The ETag of the read this write is based on, e.g. "7". Required for a write, optional for a dry run.' }),
});
export const writeQuery = z.strictObject({
  dry_run: z.enum(["true", "false"]).optional().meta({ description: "true: answer with the changes and warnings, write nothing." }),
});

/** A policy's values as the document shows them (days as YYYY-MM-DD, lists copied). */
export function documentOf(values: PolicyValues): SessionSettingsDocument {
  const out: Record<string, unknown> = {};
  for (const field of POLICY_FIELDS) {
    const value = values[field];
    out[field] = value instanceof Date ? formatDay(value) : Array.isArray(value) ? [...(value as readonly string[])] : value;
  }
  return out as SessionSettingsDocument;
}

export const etagOf = (version: number) => `"${version}"`;

/** The version an If-Match names, or a problem: 428 without one, 412 for one that cannot be a version of ours. */
export function versionFromIfMatch(header: string | null, required: boolean): number | null {
  if (header === null || header.trim() === "") {
    if (!required) return null;
    throw new ApiProblem("precondition-required", 'Send If-Match with the ETag of your last read (GET /api/v1/session-settings), e.g. If-Match: "7".');
  }
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header);
  if (!match) throw new ApiProblem("precondition-failed", STALE_SETTINGS);
  return Number(match[1]);
}

export async function currentSettings(principal: TokenPrincipal): Promise<OrgPolicy> {
  requirePermission(principal, "setup:read");
  return policyFromRow(await db().orgSettings.findUnique({ where: { orgId: principal.orgId } }));
}

/** The document validated as the page validates its form: the values a save would store. */
export function valuesOf(document: SessionSettingsDocument, version: number): SessionSettingsInput {
  // The form writes "no day" as an empty date input.
  const form = Object.fromEntries(Object.entries(document).map(([field, value]) => [field, value === null ? "" : value]));
  const parsed = sessionSettingsSchema.safeParse({ ...form, version });
  if (!parsed.success) throw validationProblem(fieldErrorsFromZod(parsed.error));
  return parsed.data;
}

function changesBetween(current: PolicyValues, next: PolicyValues) {
  const before = documentOf(current);
  const after = documentOf(next);
  return diffPolicies(current, next).map((change) => ({ field: change.field, label: change.label, old: before[change.field], new: after[change.field] }));
}

/**
 * PUT (`replace`) or PATCH: the dry run's preview, or the write through
 * saveSessionSettings, whose version check in the UPDATE is the only
 * concurrency control (a stale If-Match is its ConflictError, answered 412).
 */
export async function applySessionSettings(
  principal: TokenPrincipal,
  input: Partial<SessionSettingsDocument>,
  options: { ifMatch: string | null; dryRun: boolean },
) {
  const loaded = versionFromIfMatch(options.ifMatch, !options.dryRun);
  const current = await currentSettings(principal);
  if (options.dryRun && loaded !== null && loaded !== current.version) throw new ApiProblem("precondition-failed", STALE_SETTINGS);
  const next = valuesOf({ ...documentOf(current), ...input }, loaded ?? current.version);
  const changes = changesBetween(current, next);
  const warnings = await settingsWarnings(principal, current, next);
  if (options.dryRun) return { preview: { changes, warnings }, version: current.version };
  try {
    const saved = await saveSessionSettings(principal, next);
    return { result: { settings: documentOf(next), changes: saved.changed === 0 ? [] : changes, warnings }, version: saved.version };
  } catch (error) {
    if (error instanceof ConflictError && error.message === STALE_SETTINGS) throw new ApiProblem("precondition-failed", STALE_SETTINGS);
    throw error;
  }
}
