import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import type { NextConfig } from "next";
import { config, PERMISSIONS_POLICY, proxy } from "@/proxy";

const original = process.env.APP_URL;
afterEach(() => {
  process.env.APP_URL = original;
});

function nonceOf(csp: string): string {
  return /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1] ?? "";
}

describe("security headers (proxy.ts)", () => {
  it("sends a Content-Security-Policy with a fresh nonce per request, and hands Next the same nonce", () => {
    process.env.APP_URL = "http://localhost:3000";
    const first = proxy(new NextRequest("http://localhost:3000/login"));
    const second = proxy(new NextRequest("http://localhost:3000/login"));
    const csp = first.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(nonceOf(csp).length).toBeGreaterThanOrEqual(20);
    expect(nonceOf(csp)).not.toBe(nonceOf(second.headers.get("content-security-policy") ?? ""));
    // The request Next renders with carries the policy (it puts the nonce on its own scripts) and the nonce.
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonceOf(csp));
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(first.headers.get("permissions-policy")).toContain("publickey-credentials-get=(self)");
    expect(first.headers.get("strict-transport-security")).toBeNull();
  });

  it("adds HSTS and upgrade-insecure-requests when Gatehouse is served over https", () => {
    process.env.APP_URL = "https://gatehouse.example";
    const response = proxy(new NextRequest("https://gatehouse.example/login"));
    expect(response.headers.get("strict-transport-security")).toBe("max-age=63072000; includeSubDomains");
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("gives the dev mailbox's HTML part a policy of its own: no script, inline styles, nothing loaded, framed by our pages only", () => {
    process.env.APP_URL = "http://localhost:3000";
    const csp = proxy(new NextRequest("http://localhost:3000/dev/mailbox/html?preview=set-password")).headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(/;\s*/).map((d) => [d.split(" ")[0], d.split(" ").slice(1).join(" ")]));
    expect(directives["default-src"]).toBe("'none'");
    expect(directives["script-src"]).toBe("'none'");
    expect(directives["style-src"]).toBe("'unsafe-inline'");
    expect(directives["frame-ancestors"]).toBe("'self'");
    expect(directives["form-action"]).toBe("'none'");
    expect(directives["base-uri"]).toBe("'none'");
    // Nothing else is allowed from anywhere: no img-src, font-src, connect-src or frame-src of its own.
    expect(Object.keys(directives).sort()).toEqual(["base-uri", "default-src", "form-action", "frame-ancestors", "sandbox", "script-src", "style-src"]);
    expect(directives.sandbox).toBe("allow-top-navigation-by-user-activation");
    expect(csp).not.toContain("nonce-");
  });

  it.each(["/dev/mailbox", "/dev/mailbox/html/", "/dev/mailbox/html/x", "/dev/mailbox/HTML", "/dev/mailbox/%68tml", "/login", "/setup/users"])(
    "keeps frame-ancestors 'none' and the nonce policy on %s",
    (path) => {
      process.env.APP_URL = "http://localhost:3000";
      const csp = proxy(new NextRequest(`http://localhost:3000${path}`)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    },
  );
});

describe("which requests proxy.ts serves, and the fixed policy of the JSON routes it skips", () => {
  it.each([
    ["/login", true],
    ["/verify", true],
    ["/setup/users", true],
    ["/api/auth/session", true],
    ["/api/auth/callback/credentials", true],
    ["/api", true],
    ["/apiary", true],
    ["/API/login", true],
    ["/api/login", false],
    ["/api/verify/key", false],
    ["/api/v1/users", false],
    ["/api/health", false],
    ["/_next/static/chunks/app.js", false],
  ])("%s goes through the proxy: %s", async (url, expected) => {
    // Next's matcher evaluation reads its AsyncLocalStorage from the global scope, as its server sets it.
    const holder = globalThis as { AsyncLocalStorage?: unknown };
    holder.AsyncLocalStorage ??= (await import("node:async_hooks")).AsyncLocalStorage;
    const { unstable_doesMiddlewareMatch } = await import("next/experimental/testing/server");
    expect(unstable_doesMiddlewareMatch({ config, url })).toBe(expected);
  });

  it("gives every JSON route but next-auth's a policy that loads, runs and frames nothing, and proxy.ts's Permissions-Policy", async () => {
    // next.config.js is JavaScript without declarations; loaded by its URL, its export is typed here.
    const url = new URL("../../next.config.js", import.meta.url).href;
    const nextConfig = ((await import(url)) as { default: NextConfig }).default;
    const rules = await nextConfig.headers!();
    const api = rules.find((rule) => rule.source === "/api/:path((?!auth/).*)");
    const header = (key: string) => api?.headers.find((h) => h.key === key)?.value;
    expect(header("Content-Security-Policy")).toBe("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(header("Permissions-Policy")).toBe(PERMISSIONS_POLICY);
    // Every response, JSON included, also gets the static headers of all paths.
    const all = rules.find((rule) => rule.source === "/:path*")?.headers.map((h) => h.key);
    expect(all).toEqual(expect.arrayContaining(["X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"]));
  });
});
