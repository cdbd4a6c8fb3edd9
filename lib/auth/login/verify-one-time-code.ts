import "server-only";
import type { RequestInfo } from "../../http/request-info";
import type { PendingLoginSubject } from "../org-context";
import { verifyWithAppCode } from "./verify-app-code";
import { verifyWithRecoveryCode } from "./verify-recovery-code";
import { verifyWithTemporaryCode } from "./verify-temporary-code";

// /api/verify/one-time-code takes any of the typed codes, named by its kind.
const BY_KIND = {
  "authenticator-app": verifyWithAppCode,
  "recovery-code": verifyWithRecoveryCode,
  "temporary-code": verifyWithTemporaryCode,
} as const;

export type OneTimeCodeKind = keyof typeof BY_KIND;

/** An authenticator app's code, a recovery code or an admin-issued temporary code, by its kind. */
export function verifyWithOneTimeCode(
  pending: PendingLoginSubject,
  kind: OneTimeCodeKind,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  return BY_KIND[kind](pending, code, request, now);
}
