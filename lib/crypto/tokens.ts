import "server-only";
import crypto from "node:crypto";

/** A new random bearer token (256 bits, base64url): sessions, pending logins, devices, links. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString("base64url");
}

/**
 * What the database keeps of a bearer token. The tokens are 256-bit random
 * values, so a plain SHA-256 is enough: there is nothing to brute-force.
 */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("base64url");
}
