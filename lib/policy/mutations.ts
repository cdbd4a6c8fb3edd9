import "server-only";
import { recordAudit } from "../audit/mutations";
import { requireFreshAuth } from "../auth/freshness";
import type { AdminContext } from "../auth/org-context";
import { db } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { ConflictError } from "../errors";
import type { SessionSettingsInput } from "../validation/session-settings";
import { diffPolicies, policyFromRow, type PolicyValues } from "./rules";

export const STALE_SETTINGS = "Someone else changed these settings. Review the current values and save again.";
export const SESSION_SETTINGS_SECTION = "Session Settings";

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
export async function saveSessionSettings(ctx: AdminContext, input: SessionSettingsInput, now = new Date()): Promise<SaveOutcome> {
  const { request } = ctx;
  // The org's security policy is the most sensitive thing an admin changes: it needs a fresh "verify it's you".
  await requireFreshAuth(ctx, now);
  const { version: loadedVersion, ...values } = input;
  const next: PolicyValues = values;

  try {
    return await db().$transaction(async (tx) => {
      const current = policyFromRow(await tx.orgSettings.findUnique({ where: { orgId: ctx.orgId } }));
      if (current.version !== loadedVersion) throw new ConflictError(STALE_SETTINGS);
      const changes = diffPolicies(current, next);
      if (changes.length === 0) return { version: current.version, changed: 0 };

      const data = { ...next, allowedAaguids: [...next.allowedAaguids], blockedAaguids: [...next.blockedAaguids], updatedById: ctx.userId };
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
        await recordAudit(
          {
            orgId: ctx.orgId,
            actor: { id: ctx.userId, name: ctx.userName },
            action: "Changed session settings",
            section: SESSION_SETTINGS_SECTION,
            field: change.label,
            oldValue: change.oldValue,
            newValue: change.newValue,
            request,
          },
          tx,
        );
      }
      return { version: loadedVersion + 1, changed: changes.length };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(STALE_SETTINGS);
    throw error;
  }
}
