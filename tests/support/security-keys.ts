import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { registering } from "./step-up";
import type { OrgContext } from "@/lib/auth/org-context";
import { db } from "@/lib/db/client";
import { startKeyRegistration } from "@/lib/webauthn/registration";
import { SoftAuthenticator, type RegisterOptions, type SoftCredential } from "./soft-authenticator";
import { TEST_PASSWORD } from "./factories";
import { reauthenticateWithPassword } from "@/lib/auth/reauthentication";

export const RP = { rpId: "localhost", origin: "http://localhost:3000" };

type SettingsOverrides = Partial<{
  allowSecurityKeys: boolean;
  userVerification: "DISCOURAGED" | "PREFERRED" | "REQUIRED";
  authenticatorType: "SECURITY_KEYS_ONLY" | "SECURITY_KEYS_AND_PASSKEYS";
  allowedAaguids: string[];
  blockedAaguids: string[];
  requireVerifiedModels: boolean;
  reauthWindowMinutes: number;
}>;

/** Sets an org's Session Settings for a test (as an admin's save would leave them). */
export async function setOrgSettings(orgId: string, overrides: SettingsOverrides) {
  const data = { allowSecurityKeys: true, ...overrides };
  await db().orgSettings.upsert({ where: { orgId }, create: { orgId, version: 1, ...data }, update: data });
}

/** Re-authenticates with the password (the user has no key yet) so registration may proceed. */
export async function reauthenticate(ctx: OrgContext) {
  return reauthenticateWithPassword(ctx, TEST_PASSWORD);
}

/** Options from the server, then a software key's answer to their challenge. */
export async function keyResponseFor(
  ctx: OrgContext,
  options: RegisterOptions = {},
  authenticator = new SoftAuthenticator(RP),
): Promise<{ response: RegistrationResponseJSON; credential: SoftCredential; authenticator: SoftAuthenticator; challenge: string }> {
  const creation = await startKeyRegistration(await registering(ctx));
  const { response, credential } = authenticator.register(creation.challenge, options);
  return { response, credential, authenticator, challenge: creation.challenge };
}

/** Counts that a refused ceremony must leave unchanged. */
export async function keyState() {
  const [keys, emails] = await Promise.all([db().securityKey.count(), db().emailMessage.count()]);
  return { keys, emails };
}
