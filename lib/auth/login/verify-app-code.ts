import "server-only";
import type { RequestInfo } from "../../http/request-info";
import { verifyAuthenticatorCode } from "../../verification/authenticator-app";
import type { PendingLoginSubject } from "../org-context";
import { verifyWithTypedCode } from "./verification-core";

/** The current code of the user's authenticator app (TOTP): satisfies the second factor and device activation. */
export function verifyWithAppCode(pending: PendingLoginSubject, code: string, request: RequestInfo, now = new Date()): Promise<{ deviceToken: string | null }> {
  return verifyWithTypedCode(
    pending,
    { method: "Authenticator app", consume: verifyAuthenticatorCode, wrong: "That code isn't right. Use the newest code from your authenticator app." },
    code,
    request,
    now,
  );
}
