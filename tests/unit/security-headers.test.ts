import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

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
});
