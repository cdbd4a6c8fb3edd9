import { randomBytes } from "node:crypto";

// ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds then 80 random
// bits, written as 26 Crockford base32 characters, so ids sort by time. A
// ULID's 128 bits are also a UUID: the Setup Audit Trail, Identity
// Verification History and Login History rows written from an event carry its
// id in that form (`ulidToUuid`), which links each row to its event.

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A new ULID for the time `at`. */
export function ulid(at: Date = new Date()): string {
  let time = at.getTime();
  let out = "";
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[time % 32] + out;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(16);
  for (let i = 0; i < 16; i++) out += ALPHABET[random[i]! % 32];
  return out;
}

/** The ULID's 128 bits as a UUID string (lower-case hex). */
export function ulidToUuid(id: string): string {
  let value = 0n;
  for (const char of id.toUpperCase()) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new Error(`not a ULID: ${id}`);
    value = value * 32n + BigInt(digit);
  }
  const hex = value.toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The ULID whose bits a UUID string holds (the inverse of ulidToUuid). */
export function uuidToUlid(uuid: string): string {
  let value = BigInt(`0x${uuid.replace(/-/g, "")}`);
  let out = "";
  for (let i = 0; i < 26; i++) {
    out = ALPHABET[Number(value % 32n)] + out;
    value /= 32n;
  }
  return out;
}
