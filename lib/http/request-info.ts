import "server-only";
import { normaliseIp } from "./client-ip.mjs";

export interface RequestInfo {
  ip: string | null;
  userAgent: string | null;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const value = source[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/**
 * Client IP and browser of a request. The server in front of Next.js
 * (scripts/server.mjs) decides the client IP from the TCP peer and
 * TRUSTED_PROXIES, and leaves exactly that one address in X-Forwarded-For,
 * whatever the client sent. Read here as a canonical IP address (IPv4-mapped
 * IPv6 as IPv4); anything that is not one reads as null, never an error.
 */
export function requestInfo(source: HeaderSource): RequestInfo {
  const forwarded = header(source, "x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  const ip = normaliseIp(last ?? header(source, "x-real-ip"));
  const userAgent = header(source, "user-agent")?.slice(0, 512) ?? null;
  return { ip, userAgent };
}

/** "Chrome 156 on Linux" from a User-Agent string, for history pages and emails. */
export function describeBrowser(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown browser";
  const browser =
    match(userAgent, /Edg\/(\d+)/, "Edge") ??
    match(userAgent, /Firefox\/(\d+)/, "Firefox") ??
    match(userAgent, /(?:Chrome|Chromium|HeadlessChrome)\/(\d+)/, "Chrome") ??
    match(userAgent, /Version\/(\d+).*Safari/, "Safari") ??
    "Unknown browser";
  const os = /Windows/.test(userAgent)
    ? "Windows"
    : /Android/.test(userAgent)
      ? "Android"
      : /iPhone|iPad/.test(userAgent)
        ? "iOS"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  return os ? `${browser} on ${os}` : browser;
}

function match(ua: string, pattern: RegExp, name: string): string | undefined {
  const m = pattern.exec(ua);
  return m ? `${name} ${m[1]}` : undefined;
}

/**
 * The address a per-IP limit counts: an IPv4 address as it is, an IPv6
 * address by its /64 (one subscriber's network: anyone with a /64 can rotate
 * through billions of addresses in it).
 */
export function rateLimitAddress(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}
