import "server-only";
import crypto from "node:crypto";
import { authSecret } from "../env";

// Secrets at rest (authenticator-app seeds): AES-256-GCM with a key derived
// from AUTH_SECRET by HKDF, one key per purpose. Sealed text is
// "v1.<iv>.<tag>.<ciphertext>" in base64url; tampering fails to open.

function keyFor(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", authSecret(), "gatehouse", `gatehouse:${purpose}`, 32));
}

export function seal(plaintext: Buffer, purpose: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor(purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export function open(sealed: string, purpose: string): Buffer {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("sealed secret: unknown format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor(purpose), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]);
}
