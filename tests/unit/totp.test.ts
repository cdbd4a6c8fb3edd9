import { describe, expect, it } from "vitest";
import { open, seal } from "@/lib/crypto/seal";
import { base32Decode, base32Encode, matchingStep, otpauthUri, stepAt, totpAt } from "@/lib/verification/totp";

process.env.AUTH_SECRET ??= "unit-test-secret-0123456789abcdef0123456789";

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890": 8-digit values, whose last 6 digits are the 6-digit codes.
const SEED = Buffer.from("12345678901234567890");
const VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP (RFC 6238)", () => {
  it.each(VECTORS)("at %i s gives %s", (seconds, expected) => {
    const step = stepAt(new Date(seconds * 1000));
    expect(totpAt(SEED, step, 8)).toBe(expected);
    expect(totpAt(SEED, step)).toBe(expected.slice(2));
  });

  it("accepts one step either side, never a step at or before the last used one, and only 6 digits", () => {
    const now = new Date(1_234_567_890_000);
    const current = stepAt(now);
    for (const offset of [-1, 0, 1]) expect(matchingStep(SEED, totpAt(SEED, current + offset), now, null)).toBe(current + offset);
    for (const offset of [-2, 2]) expect(matchingStep(SEED, totpAt(SEED, current + offset), now, null)).toBeNull();
    expect(matchingStep(SEED, totpAt(SEED, current), now, current)).toBeNull();
    expect(matchingStep(SEED, totpAt(SEED, current + 1), now, current)).toBe(current + 1);
    for (const bad of ["", "12345", "1234567", "abcdef", "12 456"]) expect(matchingStep(SEED, bad, now, null)).toBeNull();
  });

  it("round-trips base32 (RFC 4648) and builds the otpauth URI apps scan", () => {
    expect(base32Encode(Buffer.from("foobar"))).toBe("MZXW6YTBOI");
    expect(base32Decode("mzxw 6ytb oi").toString()).toBe("foobar");
    expect(() => base32Decode("not base32!")).toThrow();
    expect(otpauthUri(SEED, "ada@acme.test")).toBe(
      "otpauth://totp/Gatehouse%3Aada%40acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30",
    );
  });
});

describe("secrets sealed at rest", () => {
  it("opens what it sealed, never shows the plaintext, and refuses tampering or another purpose", () => {
    const sealed = seal(SEED, "totp-secret");
    expect(sealed).not.toContain(SEED.toString("base64url"));
    expect(seal(SEED, "totp-secret")).not.toBe(sealed); // fresh IV each time
    expect(open(sealed, "totp-secret").equals(SEED)).toBe(true);
    expect(() => open(sealed, "other-purpose")).toThrow();
    const [v, iv, tag, body] = sealed.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0]! ^= 1;
    expect(() => open([v, iv, tag, flipped.toString("base64url")].join("."), "totp-secret")).toThrow();
  });
});
