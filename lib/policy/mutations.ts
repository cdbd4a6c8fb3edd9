import "server-only";
import type { Elevated } from "../auth/freshness";
import { requirePermission, userIdOf } from "../auth/principal";
import { isUniqueViolation } from "../db/errors";
import { recordEvent, withEvents } from "../events/record";
import { ConflictError } from "../errors";
import type { SessionSettingsInput } from "../validation/session-settings";
import { diffPolicies, policyFromRow, type PolicyValues } from "./rules";

export const STALE_SETTINGS = "Someone else changed these settings. Review the current values and save again.";

export interface SaveOutcome {
  version: number;
  changed: number;
}

/**
 * Saves an org's Session Settings: all fields at once, one Setup Audit Trail
 * row per changed field, in one transaction. The write only happens if the
 * stored version is still the one the admin loaded (checked atomically in the
 * UPDATE's WHERE), so two admins never silently overwrite each other.
 */
export async function saveSessionSettings(ctx: Elevated, input: SessionSettingsInput): Promise<SaveOutcome> {
  requirePermission(ctx, "settings:write");
  // The org's security policy is the most sensitive thing an admin changes: its entry point steps up (the Elevated type).
  const { version: loadedVersion, ...values } = input;
  const next: PolicyValues = values;

  try {
    return await withEvents(async (tx) => {
      const current = policyFromRow(await tx.orgSettings.findUnique({ where: { orgId: ctx.orgId } }));
      if (current.version !== loadedVersion) throw new ConflictError(STALE_SETTINGS);
      const changes = diffPolicies(current, next);
      if (changes.length === 0) return { version: current.version, changed: 0 };

      const data = { ...next, allowedAaguids: [...next.allowedAaguids], blockedAaguids: [...next.blockedAaguids], updatedById: userIdOf(ctx) };
      if (loadedVersion === 0) {
        // First save: the row does not exist yet. A concurrent first save makes this a unique violation.
        await tx.orgSettings.create({ data: { ...data, orgId: ctx.orgId, version: 1 } });
      } else {
        const { count } = await tx.orgSettings.updateMany({
          where: { orgId: ctx.orgId, version: loadedVersion },
          data: { ...data, version: loadedVersion + 1 },
        });
        if (count === 0) throw new ConflictError(STALE_SETTINGS);
      }
      // Written last field first: the trail lists newest first, so one save reads in form order.
      for (const change of [...changes].reverse()) {
        await recordEvent(ctx, { type: "settings.updated", setting: { field: change.label, old: change.oldValue, new: change.newValue } }, tx);
      }
      return { version: loadedVersion + 1, changed: changes.length };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(STALE_SETTINGS);
    throw error;
  }
}
