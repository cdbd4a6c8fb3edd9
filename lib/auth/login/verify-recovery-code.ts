import "server-only";
import type { RequestInfo } from "../../http/request-info";
import { consumeRecoveryCode } from "../../verification/recovery-codes";
import type { PendingLoginSubject } from "../org-context";
import { notifyBreakGlass } from "./break-glass";
import { verifyWithTypedCode } from "./verification-core";

/**
 * One of the user's recovery codes: satisfies the second factor and device activation, and is used up when it does.
 * Break-glass when the user's role requires a key (./break-glass.ts).
 */
export async function verifyWithRecoveryCode(
  pending: PendingLoginSubject,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  const verified = await verifyWithTypedCode(
    pending,
    { method: "Recovery code", consume: consumeRecoveryCode, wrong: "That recovery code isn't right or was already used." },
    code,
    request,
    now,
  );
  await notifyBreakGlass(pending, "Recovery code", request, now);
  return verified;
}
