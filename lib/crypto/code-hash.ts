import "server-only";
import crypto from "node:crypto";
import { authSecret, env, type Env } from "../env";
import { normaliseCode } from "../verification/codes";

// Recovery and temporary codes at rest: an HMAC-SHA-256 of the user's id and
// the normalised code, under a server key the database does not hold
// (CODE_HASH_KEY, else one derived from AUTH_SECRET by HKDF). A copy of the
// database then tests no guesses offline, and the same code stored for two
// users gives two unrelated values. Each row keeps its key's version beside
// the hash: rotating the key (a new CODE_HASH_KEY version, the old one kept in
// CODE_HASH_KEYS) voids no code already issued.

export interface StoredCodeHash {
  codeHash: string;
  keyVersion: number;
}

/**
 * Version 0: the unkeyed SHA-256 of the code, as every code was stored before
 * keyed hashes. A migration cannot recompute those rows (it never saw the
 * codes), so they keep verifying until used, regenerated or replaced; no new
 * code is stored this way. Remove this once no unused version-0 row is left.
 */
const LEGACY_SHA256 = 0;

interface Keyring {
  current: number;
  keys: Map<number, Buffer>;
}

const keyrings = new WeakMap<Env, Keyring>();

/** The configured keys by version; version 1 is derived from AUTH_SECRET unless a key of that version is configured. */
function keyring(): Keyring {
  const config = env();
  let ring = keyrings.get(config);
  if (!ring) {
    const keys = new Map(config.CODE_HASH_KEYS.map((k) => [k.version, Buffer.from(k.secret)] as const));
    if (config.CODE_HASH_KEY) keys.set(config.CODE_HASH_KEY.version, Buffer.from(config.CODE_HASH_KEY.secret));
    if (!keys.has(1)) keys.set(1, Buffer.from(crypto.hkdfSync("sha256", authSecret(), "gatehouse", "gatehouse:code-hash", 32)));
    ring = { current: config.CODE_HASH_KEY?.version ?? 1, keys };
    keyrings.set(config, ring);
  }
  return ring;
}

function hmac(key: Buffer, userId: string, code: string): string {
  return crypto
    .createHmac("sha256", key)
    .update(`${userId}:${normaliseCode(code)}`)
    .digest("base64url");
}

/** What is stored of a new code for a user: its HMAC under the current key, and that key's version. */
export function storedCodeHash(userId: string, code: string): StoredCodeHash {
  const { current, keys } = keyring();
  return { codeHash: hmac(keys.get(current)!, userId, code), keyVersion: current };
}

/**
 * Every stored form a typed code can have for this user, one per known key
 * version plus the legacy SHA-256: a `where` matches a row by
 * `{ userId, OR: codeHashCandidates(userId, code) }`.
 */
export function codeHashCandidates(userId: string, code: string): StoredCodeHash[] {
  const legacy = crypto.createHash("sha256").update(normaliseCode(code)).digest("base64url");
  return [
    ...[...keyring().keys].map(([keyVersion, key]) => ({ codeHash: hmac(key, userId, code), keyVersion })),
    { codeHash: legacy, keyVersion: LEGACY_SHA256 },
  ];
}
