import crypto from "node:crypto";
import zlib from "node:zlib";

// The API token's secret (DESIGN.md section 12): "gatehouse_pat_", 32 random
// base62 characters (190 bits), then a 6-character base62 CRC32 of those, as
// GitHub's tokens do. The prefix lets secret scanners find a leaked token; the
// checksum lets them (and resolve.ts) tell a real-looking token from a typo
// without asking the database. Only the SHA-256 of the whole secret is stored.
// A leaf module (no server imports) so scanners' rules can be unit-tested.

export const API_TOKEN_PREFIX = "gatehouse_pat_";
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** The whole shape of a secret; the checksum is checked separately. */
export const API_TOKEN_PATTERN = new RegExp(`^${API_TOKEN_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/** How many characters of the secret the list shows ("gatehouse_pat_Ab12…"): the prefix and 4 random ones. */
const DISPLAY_LENGTH = API_TOKEN_PREFIX.length + 4;

function base62(value: number, length: number): string {
  let out = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) out = BASE62[rest % 62] + out;
  return out.padStart(length, "0");
}

function checksumOf(random: string): string {
  return base62(zlib.crc32(random) >>> 0, CHECKSUM_LENGTH);
}

function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    // Rejection sampling: bytes 248..255 would make the first 8 characters likelier.
    for (const byte of crypto.randomBytes(length * 2)) if (byte < 248 && out.length < length) out += BASE62[byte % 62];
  }
  return out;
}

/** A new secret, with its checksum. */
export function generateApiTokenSecret(): string {
  const random = randomBase62(RANDOM_LENGTH);
  return `${API_TOKEN_PREFIX}${random}${checksumOf(random)}`;
}

/** True when the secret has the token's shape and its checksum matches: nothing else is worth a database query. */
export function isWellFormedApiTokenSecret(secret: string): boolean {
  if (!API_TOKEN_PATTERN.test(secret)) return false;
  const body = secret.slice(API_TOKEN_PREFIX.length);
  const random = body.slice(0, RANDOM_LENGTH);
  return crypto.timingSafeEqual(Buffer.from(checksumOf(random)), Buffer.from(body.slice(RANDOM_LENGTH)));
}

/** What the database keeps of a secret: its SHA-256, hex (190 random bits leave nothing to brute-force). */
export function hashApiTokenSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret).digest("hex");
}

/** The start of the secret that the list shows, so an admin can tell which token leaked. */
export function displayPrefixOf(secret: string): string {
  return secret.slice(0, DISPLAY_LENGTH);
}
