"use server";

import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { sessionSettingsSchema } from "@/lib/validation/session-settings";
import { roleRequirementOf } from "@/lib/policy/rules";
import { mfaStatus } from "@/lib/verification/methods";
import { settingsWarnings } from "@/lib/policy/warnings";

/**
 * What saving these values would do at once, asked before the save (and its "verify it's you"): the same
 * warnings as the Admin API's dry run, from settingsWarnings. Validates like the save; writes nothing.
 */
export const previewSessionSettingsAction = orgAction({ role: "ADMIN", schema: sessionSettingsSchema }, async (ctx, input) => {
  const { version: _version, ...next } = input;
  return { warnings: await settingsWarnings(ctx, ctx.policy, next) };
});

export const saveSessionSettingsAction = orgAction({ role: "ADMIN", stepUp: true, schema: sessionSettingsSchema }, async (ctx, input) => {
  const outcome = await saveSessionSettings(ctx, input);
  // Whether the admin who saved must now enrol a second factor, or register the key their role now requires, under what was saved.
  const saved = { ...ctx.policy, ...input, version: outcome.version };
  const status = await mfaStatus({ ...ctx, policy: { ...saved, roleRequirement: roleRequirementOf(saved, ctx.role) } });
  const enrolmentDue = status.enrolmentDue || Boolean(status.keyRequirement?.due);
  // Then nothing re-renders: this page's render would send them to enrolment before the form says it saved.
  if (!enrolmentDue) {
    revalidatePath("/setup/session-settings");
    revalidatePath("/setup/audit-trail");
  }
  return { ...outcome, enrolmentDue };
});
