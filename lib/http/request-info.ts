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
 * Client IP and browser of a request. Next.js puts the socket address in
 * X-Forwarded-For when no proxy did; behind a proxy the nearest hop's entry
 * (the last one) is the one the proxy vouches for.
 */
export function requestInfo(source: HeaderSource): RequestInfo {
  const forwarded = header(source, "x-forwarded-for");
  const hops = forwarded?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
  const ip = hops.at(-1) ?? header(source, "x-real-ip") ?? null;
  const userAgent = header(source, "user-agent")?.slice(0, 512) ?? null;
  return { ip: ip ? normaliseIp(ip) : null, userAgent };
}

function normaliseIp(ip: string): string {
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
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
