import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { addDeviceToken } from "@/lib/auth/login-cookies";
import { verifyWithKey } from "@/lib/auth/login-verification";
import { pendingLoginRoute } from "@/lib/auth/route";
import { loginKeySchema } from "@/lib/validation/webauthn";

export const POST = pendingLoginRoute(loginKeySchema, async (pending, input, request, cookies) => {
  const { deviceToken } = await verifyWithKey(pending, input.response as AuthenticationResponseJSON, request);
  addDeviceToken(cookies, deviceToken);
  return { verified: true };
});
