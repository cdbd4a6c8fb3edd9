import crypto from "node:crypto";

// Standard Webhooks (https://www.standardwebhooks.com): every delivery carries
// webhook-id (the event id: the receiver's deduplication key, the same on every
// retry), webhook-timestamp (unix seconds) and webhook-signature, "v1,<base64
// HMAC-SHA256 of `${id}.${timestamp}.${body}`>" keyed with the secret's bytes
// (the secret is shown as "whsec_<base64>"). While a rotation overlaps, one
// signature per secret, space-separated: a receiver with either secret verifies.

export const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes, as shown to the admin once. */
export function generateSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString("base64");
}

function secretBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("webhook secret: not a whsec_ secret");
  return Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
}

/** One "v1,<signature>" of `id.timestamp.body`. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac("sha256", secretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The three headers of one delivery, signed with each secret given (current first). */
export function signedHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((secret) => sign(secret, id, timestamp, body)).join(" "),
  };
}
