import { addDeviceToken } from "@/lib/auth/login/login-cookies";
import { verifiedWithoutJavaScript } from "@/lib/auth/verify-form-fallback";
import { verifyWithEmailCode } from "@/lib/auth/login/verify-email-code";
import { pendingLoginRoute } from "@/lib/auth/route";
import { emailCodeSchema } from "@/lib/validation/codes";

export const POST = pendingLoginRoute(
  emailCodeSchema,
  async (pending, input, request, cookies) => {
    const { deviceToken } = await verifyWithEmailCode(pending, input.code, request);
    addDeviceToken(cookies, deviceToken);
    return { verified: true };
  },
  verifiedWithoutJavaScript,
);
