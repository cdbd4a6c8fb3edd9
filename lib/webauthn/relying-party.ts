import "server-only";
import { env } from "../env";

/** The WebAuthn relying party: RP ID and origin both come from APP_URL. */
export function relyingParty(): { rpID: string; origin: string; rpName: string } {
  const url = new URL(env().APP_URL);
  return { rpID: url.hostname, origin: url.origin, rpName: "Gatehouse" };
}

/** ES256, EdDSA, RS256: every FIDO U2F key signs ES256; FIDO2 keys may use the others. */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];
