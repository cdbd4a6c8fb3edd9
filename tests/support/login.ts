import { deviceCookieValue } from "@/lib/auth/login/devices";
import { hashToken, randomToken } from "@/lib/crypto/tokens";
import { authenticateWithPassword, type LoginRequest } from "@/lib/auth/login/login";
import { completePendingLogin } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";

/**
 * A device cookie activated for this user, as a browser that passed device
 * activation before would carry (test setup: the activation itself is tested
 * in login-verification.test.ts).
 */
export async function activatedDeviceCookie(username: string): Promise<string | null> {
  const user = await db().user.findUnique({ where: { claimedUsername: username } });
  if (!user) return null;
  const token = randomToken();
  await db().activatedDevice.create({ data: { tokenHash: hashToken(token), userId: user.id, orgId: user.orgId } });
  return deviceCookieValue(token, null);
}

/**
 * The whole login of a user from a browser activated for them and no second
 * factor: the password step, then the session. Throws when verification is
 * still needed.
 */
export async function logInFully(username: string, password: string, request: LoginRequest, now = new Date()) {
  const deviceCookie = request.deviceCookie ?? (await activatedDeviceCookie(username));
  const step = await authenticateWithPassword(username, password, { ...request, deviceCookie }, now);
  if (step.next !== "complete") throw new Error(`logInFully: ${username} still needs verification (${JSON.stringify(step.needs)})`);
  const { sessionToken } = await completePendingLogin(step.pendingToken, request, now);
  return { ...step, sessionToken };
}
