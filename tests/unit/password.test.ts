import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords/password";

const PASSWORD = "correct horse battery staple";

describe("password hashing", () => {
  it("verifies the password it hashed, and stores neither the password nor a fast hash of it", async () => {
    const stored = await hashPassword(PASSWORD);
    // Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane), 16-byte salt, 32-byte key.
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
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
    const [, scheme, version, params, salt, key] = (await hashPassword(PASSWORD)).split("$") as [string, string, string, string, string, string];
    const phc = (...parts: string[]) => ["", ...parts].join("$");
    const malformed = {
      empty: "",
      "not a hash": "not-a-hash",
      "plain text password": PASSWORD,
      "other scheme": phc("argon2i", version, params, salt, key),
      "missing field": phc(scheme, version, params, key),
      "extra field": phc(scheme, version, params, salt, key, "x"),
      "empty key": phc(scheme, version, params, salt, ""),
      "truncated key": phc(scheme, version, params, salt, key.slice(0, 8)),
      "parameters not numbers": phc(scheme, version, "m=lots,t=2,p=1", salt, key),
      "memory out of range": phc(scheme, version, `m=${2 ** 40},t=2,p=1`, salt, key),
      "scrypt, N not a power of two": legacyScrypt(PASSWORD).replace(/^scrypt\$32768\$/, "scrypt$3$"),
      "scrypt, N out of range": legacyScrypt(PASSWORD).replace(/^scrypt\$32768\$/, `scrypt$${2 ** 40}$`),
      "scrypt, truncated key": legacyScrypt(PASSWORD).slice(0, -35),
    };
    for (const [label, stored] of Object.entries(malformed)) {
      await expect(verifyPassword(PASSWORD, stored), label).resolves.toBe(false);
      await expect(verifyPassword("anything else", stored), label).resolves.toBe(false);
    }
  });

  it("still verifies a scrypt hash written before Argon2id (login rewrites it)", async () => {
    const legacy = legacyScrypt(PASSWORD);
    expect(await verifyPassword(PASSWORD, legacy)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, legacy)).toBe(false);
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

/** scrypt$N$r$p$salt$key, as Gatehouse stored passwords before Argon2id. */
function legacyScrypt(password: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password.normalize("NFKC"), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 128 * 1024 * 1024 });
  return ["scrypt", 2 ** 15, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
}
