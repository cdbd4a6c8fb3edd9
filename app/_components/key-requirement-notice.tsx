import type { KeyRequirementStatus } from "@/lib/policy/rules";
import { formatDay } from "@/lib/validation/dates";
import { Alert } from "./ui";

/**
 * The countdown before a role's "Security key only" takes effect, for a user who has no key the org accepts yet
 * (Home and Advanced User Details), and what applies once it has (Advanced User Details, where the key is registered).
 */
export function KeyRequirementNotice({
  orgName,
  status,
  registerHere = false,
}: {
  orgName: string;
  status: KeyRequirementStatus | null;
  registerHere?: boolean;
}) {
  if (!status || status.met) return null;
  const where = registerHere ? "below" : "in Advanced User Details";
  if (status.due) {
    return (
      <Alert tone="warning">
        {orgName} requires a security key for your role. Register a security key {where} before you do anything else.
      </Alert>
    );
  }
  if (status.daysLeft === null || !status.requiredFrom) return null;
  return (
    <Alert tone="warning">
      {orgName} will require a security key for your role in {status.daysLeft} day{status.daysLeft === 1 ? "" : "s"} (from {formatDay(status.requiredFrom)},
      UTC). Register a security key {where} before then.
    </Alert>
  );
}
