import "server-only";
import { encode } from "next-auth/jwt";
import { authSecret } from "../../env";
import type { RequestInfo } from "../../http/request-info";
import { cookieFlags } from "../cookies";
import type { CookieJar } from "../route";
import { deviceCookieName, deviceCookieValue, DEVICE_COOKIE_MAX_AGE } from "./devices";
import { SESSION_COOKIE_MAX_AGE, sessionCookieName } from "../options";
import { completePendingLogin, PENDING_LOGIN_TTL_MS, pendingLoginCookieName } from "./pending-login";

/** The pending-login cookie: lives as long as the pending login. */
export function setPendingLoginCookie(cookies: CookieJar, token: string): void {
  cookies.set(pendingLoginCookieName(), token, PENDING_LOGIN_TTL_MS / 1000);
}

/** Adds a newly activated device token to the browser's device cookie. */
export function addDeviceToken(cookies: CookieJar, token: string | null): void {
  if (!token) return;
  cookies.set(deviceCookieName(), deviceCookieValue(token, cookies.get(deviceCookieName())), DEVICE_COOKIE_MAX_AGE);
}

/**
 * Turns the browser's verified pending login into a session in the response
 * that verified it: the same session next-auth's credentials sign-in would
 * create (completePendingLogin, exactly once), in next-auth's own JWT cookie,
 * so next-auth still reads, refreshes and ends it. Saves the browser the
 * csrf + callback round trips after a key, or after a password that is all
 * the login needs.
 */
export async function signInFromPendingLogin(cookies: CookieJar, request: RequestInfo, pendingToken = cookies.get(pendingLoginCookieName())): Promise<void> {
  const { sessionToken } = await completePendingLogin(pendingToken, request);
  const jwt = await encode({ token: { sid: sessionToken }, secret: authSecret(), maxAge: SESSION_COOKIE_MAX_AGE });
  cookies.set(sessionCookieName(), jwt, SESSION_COOKIE_MAX_AGE);
  cookies.set(pendingLoginCookieName(), "", 0);
}

/** The same cookies, set from a server action through next/headers. */
export async function serverActionCookies(): Promise<CookieJar> {
  const { cookies } = await import("next/headers");
  const jar = await cookies();
  return {
    set: (name, value, maxAge) => void jar.set(name, value, { ...cookieFlags(), maxAge }),
    get: (name) => jar.get(name)?.value ?? null,
  };
}
