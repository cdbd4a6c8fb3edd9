import "server-only";
import { cookieFlags } from "./cookies";
import type { CookieJar } from "./route";
import { deviceCookieName, deviceCookieValue, DEVICE_COOKIE_MAX_AGE } from "./devices";
import { PENDING_LOGIN_TTL_MS, pendingLoginCookieName } from "./pending-login";

/** The pending-login cookie: lives as long as the pending login. */
export function setPendingLoginCookie(cookies: CookieJar, token: string): void {
  cookies.set(pendingLoginCookieName(), token, PENDING_LOGIN_TTL_MS / 1000);
}

/** Adds a newly activated device token to the browser's device cookie. */
export function addDeviceToken(cookies: CookieJar, token: string | null): void {
  if (!token) return;
  cookies.set(deviceCookieName(), deviceCookieValue(token, cookies.get(deviceCookieName())), DEVICE_COOKIE_MAX_AGE);
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
