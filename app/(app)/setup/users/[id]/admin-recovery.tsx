import type { AdminRecoveryView } from "@/lib/users/admin-recovery";
import { ActionButton } from "../../../../_components/action-button";
import { Alert, formatDateTime } from "../../../../_components/ui";
import { removeSuspendedFactorAction, restoreSuspendedFactorAction } from "../actions";

/** Why the account waits, and who can end it. */
function explanation({ recovery, userName, isSelf }: { recovery: AdminRecoveryView; userName: string; isSelf: boolean }): string {
  if (!recovery.required) {
    return `A “This wasn't me” report suspended these methods. They still count as ${userName}'s second factor but can't be used. Restore each one ${userName} confirms is theirs, and remove the rest.`;
  }
  if (recovery.by === "operator" && isSelf) {
    return "You are your org's only active admin, so the operator of your Gatehouse server recovers your account (npm run user:recover). Restore each method below that is yours, and remove the rest.";
  }
  return `After a “This wasn't me” report, only a temporary verification code verifies ${userName}'s next login, since whoever made the report may hold only their mailbox. Check with ${userName} in person or by phone, restore each method below that is theirs and remove the rest, then reset their password and issue them a temporary code.`;
}

/** "Admin recovery required" on a user's page: the suspended methods, each with Restore and Remove (each needs "verify it's you"; audited). */
export function AdminRecovery({ userId, userName, recovery, isSelf }: { userId: string; userName: string; recovery: AdminRecoveryView; isSelf: boolean }) {
  return (
    <Alert tone="warning">
      <p className="font-medium">{recovery.required ? "Admin recovery required" : "Suspended verification methods"}</p>
      <p className="mt-1">
        {explanation({ recovery, userName, isSelf })}
        {recovery.since && ` Since ${formatDateTime(recovery.since)}.`}
      </p>
      {recovery.factors.length > 0 && (
        <ul className="mt-3 divide-y divide-amber-200" aria-label="Suspended verification methods">
          {recovery.factors.map((factor) => {
            const input = { userId, kind: factor.kind, factorId: factor.id };
            return (
              <li key={`${factor.kind}:${factor.id}`} className="flex flex-wrap items-center justify-between gap-3 py-2">
                <span>
                  {factor.label} · suspended {formatDateTime(factor.suspendedAt)}
                </span>
                <span className="flex flex-wrap gap-2">
                  <ActionButton action={restoreSuspendedFactorAction} input={input} label={`Restore ${factor.label}`} done="Restored.">
                    Restore
                  </ActionButton>
                  <ActionButton action={removeSuspendedFactorAction} input={input} label={`Remove ${factor.label}`} variant="danger" done="Removed.">
                    Remove
                  </ActionButton>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Alert>
  );
}
