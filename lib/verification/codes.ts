import "server-only";
import crypto from "node:crypto";

// One-time codes people type: recovery codes and admin-issued temporary codes.
// Drawn from a 32-letter alphabet without look-alikes (5 bits a letter), shown
// in groups, compared after normalising, stored only as a keyed hash
// (lib/crypto/code-hash.ts).

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** `groups` groups of `size` random letters, e.g. "7hq2-m9xk-c4tv" (3×4 = 60 bits). */
export function randomCode(groups: number, size: number): string {
  const letters = Array.from(crypto.randomBytes(groups * size), (byte) => ALPHABET[byte & 31]).join("");
  return Array.from({ length: groups }, (_, i) => letters.slice(i * size, (i + 1) * size)).join("-");
}

/** What a person typed, as it was generated: case, spaces and hyphens ignored; o→0, i/l→1. */
export function normaliseCode(input: string): string {
  return input
    .toLowerCase()
    .replace(/[\s-]+/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
}

// Emailed 6-digit codes (device activation, sign-up, proving the mailbox
// before MFA enrolment): stored as a SHA-256 bound to what the code is for
// (a pending login, a pending sign-up, a session), so the same digits mean
// nothing anywhere else, and compared in constant time.

/** A new 6-digit code. */
export function newEmailedCode(): string {
  return crypto.randomInt(0, 1_000_000).toString().padStart(6, "0");
}

/** What is stored of an emailed code: its SHA-256, bound to `boundTo` (the id of what it verifies). */
export function emailedCodeHash(boundTo: string, code: string): string {
  return crypto.createHash("sha256").update(`${boundTo}:${code}`).digest("base64url");
}

/** Whether `code` is the one whose hash is `stored`, compared in constant time. */
export function emailedCodeMatches(stored: string, boundTo: string, code: string): boolean {
  const expected = Buffer.from(stored);
  const given = Buffer.from(emailedCodeHash(boundTo, code));
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}
