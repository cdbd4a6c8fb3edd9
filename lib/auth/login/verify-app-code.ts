import "server-only";
import type { RequestInfo } from "../../http/request-info";
import { assertKeyNotRequiredAtLogin } from "../../policy/role-requirements";
import { verifyAuthenticatorCode } from "../../verification/authenticator-app";
import type { PendingLoginSubject } from "../org-context";
import { verifyWithTypedCode } from "./verification-core";

/**
 * The current code of the user's authenticator app (TOTP): satisfies the second factor and device activation, unless
 * the user's role requires a security key (in force) and they have one (lib/policy/role-requirements.ts).
 */
export async function verifyWithAppCode(
  pending: PendingLoginSubject,
  code: string,
  request: RequestInfo,
  now = new Date(),
): Promise<{ deviceToken: string | null }> {
  await assertKeyNotRequiredAtLogin(pending, now);
  return verifyWithTypedCode(
    pending,
    { method: "Authenticator app", consume: verifyAuthenticatorCode, wrong: "That code isn't right. Use the newest code from your authenticator app." },
    code,
    request,
    now,
  );
}
