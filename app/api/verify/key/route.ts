import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { addDeviceToken, signInFromPendingLogin } from "@/lib/auth/login/login-cookies";
import { verifyWithKey } from "@/lib/auth/login/verify-key";
import { pendingLoginRoute } from "@/lib/auth/route";
import { loginKeySchema } from "@/lib/validation/webauthn";

// The key verifies the login and, in the same response, the session starts
// (next-auth's cookie): /verify then only navigates. Two requests per key
// step: options, then this.
export const POST = pendingLoginRoute(loginKeySchema, async (pending, input, request, cookies) => {
  const { deviceToken } = await verifyWithKey(pending, input.response as AuthenticationResponseJSON, request);
  addDeviceToken(cookies, deviceToken);
  await signInFromPendingLogin(cookies, request);
  return { verified: true, signedIn: true };
});
