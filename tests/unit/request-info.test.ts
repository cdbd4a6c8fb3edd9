import { describe, expect, it } from "vitest";
import { describeBrowser, rateLimitAddress, requestInfo } from "@/lib/http/request-info";

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

describe("requestInfo", () => {
  it("takes the client IP from the last X-Forwarded-For hop, the one our proxy vouches for", () => {
    // The first entries are whatever the client claimed; only the last was added by our proxy.
    const spoofed = new Headers({ "x-forwarded-for": "10.0.0.1, 198.51.100.23, 203.0.113.9", "user-agent": CHROME_LINUX });
    expect(requestInfo(spoofed)).toEqual({ ip: "203.0.113.9", userAgent: CHROME_LINUX });
  });

  it("reads plain header records (next-auth) and repeated headers the same way", () => {
    expect(requestInfo({ "x-forwarded-for": "198.51.100.23" }).ip).toBe("198.51.100.23");
    expect(requestInfo({ "x-forwarded-for": ["10.0.0.1", "203.0.113.9"] }).ip).toBe("203.0.113.9");
    expect(requestInfo({ "x-forwarded-for": "203.0.113.9, " }).ip).toBe("203.0.113.9");
  });

  it("strips the ::ffff: prefix of IPv4-mapped addresses and keeps real IPv6 addresses", () => {
    expect(requestInfo({ "x-forwarded-for": "::ffff:192.0.2.44" }).ip).toBe("192.0.2.44");
    expect(requestInfo(new Headers({ "x-forwarded-for": "10.0.0.1, ::ffff:192.0.2.44" })).ip).toBe("192.0.2.44");
    expect(requestInfo({ "x-forwarded-for": "2001:db8::7" }).ip).toBe("2001:db8::7");
  });

  it("falls back to X-Real-IP, and to null when nothing names the client", () => {
    expect(requestInfo({ "x-real-ip": "::ffff:192.0.2.8" }).ip).toBe("192.0.2.8");
    expect(requestInfo({})).toEqual({ ip: null, userAgent: null });
    expect(requestInfo(new Headers())).toEqual({ ip: null, userAgent: null });
  });

  it("caps a huge User-Agent at 512 characters", () => {
    const info = requestInfo({ "user-agent": `${CHROME_LINUX} ${"x".repeat(5000)}` });
    expect(info.userAgent).toHaveLength(512);
    expect(info.userAgent!.startsWith(CHROME_LINUX)).toBe(true);
  });
});

describe("describeBrowser", () => {
  it.each([
    [CHROME_LINUX, "Chrome 156 on Linux"],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
      "Edge 131 on Windows",
    ],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on macOS"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari 18 on macOS"],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
      "Safari 18 on iOS",
    ],
    ["Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome 131 on Android"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36", "Chrome 156 on Linux"],
  ])("%s → %s", (userAgent, expected) => {
    expect(describeBrowser(userAgent)).toBe(expected);
  });

  it("says so when the browser is unknown", () => {
    expect(describeBrowser(null)).toBe("Unknown browser");
    expect(describeBrowser(undefined)).toBe("Unknown browser");
    expect(describeBrowser("")).toBe("Unknown browser");
    expect(describeBrowser("curl/8.5.0")).toBe("Unknown browser");
    expect(describeBrowser("SomeBot/1.0 (Windows)")).toBe("Unknown browser on Windows");
  });
});

describe("rateLimitAddress", () => {
  it("counts IPv4 addresses one by one and IPv6 addresses by their /64", () => {
    expect(rateLimitAddress("203.0.113.7")).toBe("203.0.113.7");
    expect(rateLimitAddress("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(rateLimitAddress("2001:db8:1:2::ffff")).toBe("2001:db8:1:2::/64");
    expect(rateLimitAddress("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(rateLimitAddress("::1")).toBe("0:0:0:0::/64");
    expect(rateLimitAddress("2001:0DB8:0001:0002::1")).toBe("2001:db8:1:2::/64");
  });
});
