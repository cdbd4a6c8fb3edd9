import { describe, expect, it } from "vitest";
import { daysUntil, formatDate, formatDateTime, formatIp, maskEmail } from "@/lib/format";

describe("formatDateTime", () => {
  it("always shows UTC, day month year, 24-hour time", () => {
    expect(formatDateTime(new Date("2026-11-23T08:01:59Z"))).toBe("23 Nov 2026, 08:01 UTC");
    expect(formatDateTime(new Date("2026-01-05T23:30:00Z"))).toBe("5 Jan 2026, 23:30 UTC");
  });

  it("reads an ISO string (what actions send to the browser) the same as the Date", () => {
    const at = new Date("2026-11-30T16:45:00Z");
    expect(formatDateTime(at.toISOString())).toBe(formatDateTime(at));
    expect(formatDateTime(at.toISOString())).not.toMatch(/GMT/);
  });

  it("does not follow the machine's time zone", () => {
    const before = process.env.TZ;
    process.env.TZ = "Pacific/Auckland";
    try {
      expect(formatDateTime(new Date("2026-11-23T23:59:00Z"))).toBe("23 Nov 2026, 23:59 UTC");
    } finally {
      process.env.TZ = before;
    }
  });
});

describe("formatDate", () => {
  it("is the day part of formatDateTime", () => {
    expect(formatDate(new Date("2027-03-01T00:00:00Z"))).toBe("1 Mar 2027");
    expect(formatDateTime(new Date("2027-03-01T00:00:00Z"))).toMatch(/^1 Mar 2027, /);
  });
});

describe("daysUntil", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  it("rounds up partial days and stops at zero", () => {
    expect(daysUntil(new Date("2026-12-01T00:00:00Z"), now)).toBe(1);
    expect(daysUntil(new Date("2026-12-14T12:00:00Z"), now)).toBe(14);
    expect(daysUntil(new Date("2026-11-01T00:00:00Z"), now)).toBe(0);
  });
});

describe("formatIp", () => {
  it("names loopback addresses, keeps others, and says when there is none", () => {
    expect(formatIp("::1")).toBe("localhost (::1)");
    expect(formatIp("127.0.0.1")).toBe("localhost (127.0.0.1)");
    expect(formatIp("203.0.113.9")).toBe("203.0.113.9");
    expect(formatIp("2001:db8::1")).toBe("2001:db8::1");
    expect(formatIp(null)).toBe("Unknown");
  });
});

describe("maskEmail", () => {
  it("keeps the first letter and the domain", () => {
    expect(maskEmail("ada@acme.test")).toBe("a•••@acme.test");
  });
});
