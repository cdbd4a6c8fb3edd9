import { addDeviceToken } from "@/lib/auth/login/login-cookies";
import { verifiedWithoutJavaScript } from "@/lib/auth/verify-form-fallback";
import { verifyWithOneTimeCode } from "@/lib/auth/login/verify-one-time-code";
import { pendingLoginRoute } from "@/lib/auth/route";
import { oneTimeCodeSchema } from "@/lib/validation/codes";

/** A recovery code or a temporary code from an admin. */
export const POST = pendingLoginRoute(
  oneTimeCodeSchema,
  async (pending, input, request, cookies) => {
    const { deviceToken } = await verifyWithOneTimeCode(pending, input.kind, input.code, request);
    addDeviceToken(cookies, deviceToken);
    return { verified: true };
  },
  verifiedWithoutJavaScript,
);
