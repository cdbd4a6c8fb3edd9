import "server-only";
import crypto from "node:crypto";
import { promisify } from "node:util";
import { oneHashOnLibuvPool, runArgon2 } from "./hash-pool";

// Passwords are hashed with Argon2id at OWASP's parameters (19 MiB, 2 passes,
// 1 lane): about 60 ms of one core, where the scrypt N=2^15 it replaces cost
// ~200 ms for less protection. Hashes written before (scrypt$…) still verify,
// and login rewrites them as Argon2id (needsRehash) after the next success.

// algorithm 2 = Algorithm.Argon2id (a const enum, which isolatedModules cannot import).
const ARGON2_PARAMS = { algorithm: 2, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1, outputLen: 32 } as const;
const ARGON2_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$";

// Argon2id runs on a pool of low-priority worker threads, one per core
// (lib/auth/passwords/hash-pool.ts): hashing uses idle cores, and yields them to the
// event loop and the database whenever those want one. Legacy scrypt checks
// (one per user, once) stay on libuv's pool, one at a time (oneHashOnLibuvPool).

export async function hashPassword(password: string): Promise<string> {
  return (await runArgon2({ op: "hash", password: password.normalize("NFKC"), options: ARGON2_PARAMS })) as string;
}

/** Constant-time check; a malformed or missing hash is simply a mismatch. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const candidate = password.normalize("NFKC");
  const hash = stored ?? DUMMY_HASH;
  const matches = hash.startsWith("scrypt$") ? await verifyScrypt(candidate, hash) : await verifyArgon2(candidate, hash);
  return matches && stored !== null && stored !== undefined;
}

/** True when a stored hash predates the current algorithm or parameters: rehash it after a successful login. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(ARGON2_PREFIX);
}

async function verifyArgon2(password: string, stored: string): Promise<boolean> {
  if (!stored.startsWith("$argon2id$")) return false;
  // An empty or truncated key would match (almost) any password; the library refuses neither.
  const key = stored.split("$").at(-1) ?? "";
  if (Buffer.from(key, "base64").length < MIN_STORED_KEY_LENGTH) return false;
  return runArgon2({ op: "verify", hash: stored, password }).then(
    (matches) => matches === true,
    () => false, // a malformed PHC string
  );
}

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;
const SCRYPT_MAX_MEM = 128 * 1024 * 1024;
const MIN_STORED_KEY_LENGTH = 16;

/** Hashes from before Argon2id: scrypt$N$r$p$salt$key. */
async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6) return false;
  const [, n, r, p, saltText, keyText] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyText, "base64url");
  if (expected.length < MIN_STORED_KEY_LENGTH) return false;
  const key = await oneHashOnLibuvPool(() =>
    scrypt(password, Buffer.from(saltText, "base64url"), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT_MAX_MEM }),
  ).catch(() => null); // parameters scrypt refuses (not numbers, out of range)
  if (!key) return false;
  return key.length === expected.length && crypto.timingSafeEqual(key, expected);
}

// Verifying against this when the username is unknown makes both paths cost
// the same, so response time does not reveal which usernames exist.
const DUMMY_HASH = `${ARGON2_PREFIX}AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
