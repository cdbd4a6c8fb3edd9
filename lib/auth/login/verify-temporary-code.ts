import "server-only";
import type { RequestInfo } from "../../http/request-info";
import { endAdminRecovery } from "../../users/recovery-route";
import { consumeTemporaryCode } from "../../verification/temporary-codes";
import type { PendingLoginSubject } from "../org-context";
import { notifyBreakGlass } from "./break-glass";
import { verifyWithTypedCode } from "./verification-core";

/**
 * A temporary code an admin (or the operator) issued: satisfies the second
 * factor and device activation, is used up when it does, and is what a
 * locked step or "Admin recovery required" waits for.
 */
export async function verifyWithTemporaryCode(
  pending: PendingLoginSubject,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  const verified = await verifyWithTypedCode(
    pending,
    {
      method: "Temporary code",
      consume: consumeTemporaryCode,
      wrong: "That temporary code isn't right, has expired or was already used.",
      unlocksLockedStep: true,
    },
    code,
    request,
    now,
  );
  // The admin's (or operator's) code is the recovery "Admin recovery required" waited for.
  await endAdminRecovery(pending);
  // Break-glass when the user's role requires a key (./break-glass.ts).
  await notifyBreakGlass(pending, "Temporary code", request, now);
  return verified;
}
