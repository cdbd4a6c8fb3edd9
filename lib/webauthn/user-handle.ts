import "server-only";
import { isoBase64URL } from "@simplewebauthn/server/helpers";

/** The WebAuthn user handle Gatehouse registers a user's keys with: the 16 bytes of their user id. */
export function userHandleBytes(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll("-", ""), "hex"));
}

/** The same handle, base64url, as a browser returns it in an assertion's userHandle. */
export function userHandleOf(userId: string): string {
  return isoBase64URL.fromBuffer(userHandleBytes(userId));
}
