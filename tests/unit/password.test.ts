import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

const PASSWORD = "correct horse battery staple";

describe("password hashing", () => {
  it("verifies the password it hashed, and stores neither the password nor a fast hash of it", async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
  });

  it("refuses a wrong password, including near misses", async () => {
    const stored = await hashPassword(PASSWORD);
    for (const attempt of ["", "correct horse battery stapl", "Correct horse battery staple", `${PASSWORD} `, "x"]) {
      expect(await verifyPassword(attempt, stored), attempt).toBe(false);
    }
  });

  it("salts every hash: the same password hashes differently and each hash verifies", async () => {
    const first = await hashPassword(PASSWORD);
    const second = await hashPassword(PASSWORD);
    expect(first).not.toBe(second);
    expect(first.split("$")[4]).not.toBe(second.split("$")[4]);
    expect(await verifyPassword(PASSWORD, first)).toBe(true);
    expect(await verifyPassword(PASSWORD, second)).toBe(true);
  });

  it("treats a missing stored hash (invited user without a password) as a mismatch", async () => {
    expect(await verifyPassword(PASSWORD, null)).toBe(false);
    expect(await verifyPassword(PASSWORD, undefined)).toBe(false);
    expect(await verifyPassword("", null)).toBe(false);
    // The built-in stand-in hash must not be a password anyone can type.
    expect(await verifyPassword("\u0000", null)).toBe(false);
  });

  it("treats a malformed stored hash as a mismatch instead of throwing or matching", async () => {
    const [scheme, n, r, p, salt, key] = (await hashPassword(PASSWORD)).split("$") as [string, string, string, string, string, string];
    const malformed = {
      empty: "",
      "not a hash": "not-a-hash",
      "plain text password": PASSWORD,
      "other scheme": ["bcrypt", n, r, p, salt, key].join("$"),
      "missing field": [scheme, n, r, p, key].join("$"),
      "extra field": [scheme, n, r, p, salt, key, "x"].join("$"),
      "empty key": [scheme, n, r, p, salt, ""].join("$"),
      "truncated key": [scheme, n, r, p, salt, key.slice(0, 8)].join("$"),
      "N not a number": [scheme, "lots", r, p, salt, key].join("$"),
      "N not a power of two": [scheme, "3", r, p, salt, key].join("$"),
      "N out of range": [scheme, String(2 ** 40), r, p, salt, key].join("$"),
    };
    for (const [label, stored] of Object.entries(malformed)) {
      await expect(verifyPassword(PASSWORD, stored), label).resolves.toBe(false);
      await expect(verifyPassword("anything else", stored), label).resolves.toBe(false);
    }
  });

  it("normalises to NFKC, so the same password typed on another keyboard or OS still matches", async () => {
    const composed = "caf\u00e9-password-1"; // é as one code point (most keyboards)
    const decomposed = "cafe\u0301-password-1"; // e + combining acute (macOS file names, some IMEs)
    const stored = await hashPassword(composed);
    expect(await verifyPassword(decomposed, stored)).toBe(true);

    const fullWidth = await hashPassword("\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12"); // ｐａｓｓｗｏｒｄ１２ (CJK input)
    expect(await verifyPassword("password12", fullWidth)).toBe(true);

    // Normalisation is not case folding and not accent stripping.
    expect(await verifyPassword("CAF\u00c9-PASSWORD-1", stored)).toBe(false);
    expect(await verifyPassword("cafe-password-1", stored)).toBe(false);
  });
});
