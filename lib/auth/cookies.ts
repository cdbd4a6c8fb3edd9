import "server-only";
import { env } from "../env";

// One place decides what Gatehouse's cookies are called and how they are set:
// httpOnly, SameSite=Lax, path /, and on https Secure with a __Host- name (the
// browser then refuses the cookie unless it is Secure, host-only and path /).

export type CookieKind = "session" | "pending-login" | "device" | "signup";

const BASE_NAMES: Record<CookieKind, string> = {
  session: "gatehouse.session",
  "pending-login": "gatehouse.pending-login",
  device: "gatehouse.device",
  signup: "gatehouse.signup",
};

function isHttps(): boolean {
  return env().APP_URL.startsWith("https://");
}

export function cookieName(kind: CookieKind): string {
  return isHttps() ? `__Host-${BASE_NAMES[kind]}` : BASE_NAMES[kind];
}

export interface CookieFlags {
  httpOnly: true;
  sameSite: "lax";
  path: "/";
  secure: boolean;
}

export function cookieFlags(): CookieFlags {
  return { httpOnly: true, sameSite: "lax", path: "/", secure: isHttps() };
}

/** A Set-Cookie header value with the house flags. */
export function setCookieHeader(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${isHttps() ? "; Secure" : ""}`;
}

/** A cookie's value from a Cookie header, or null. */
export function cookieValue(header: string | string[] | undefined | null, name: string): string | null {
  const line = Array.isArray(header) ? header.join("; ") : (header ?? "");
  for (const part of line.split(";")) {
    const index = part.indexOf("=");
    if (index < 0 || part.slice(0, index).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(index + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}
