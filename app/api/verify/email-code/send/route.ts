import { sendEmailCode } from "@/lib/auth/login/verify-email-code";
import { pendingLoginRoute } from "@/lib/auth/route";
import { codeSentWithoutJavaScript } from "@/lib/auth/verify-form-fallback";
import { emptySchema } from "@/lib/validation/webauthn";

export const POST = pendingLoginRoute(
  emptySchema,
  async (pending, _input, request) => {
    const { expiresAt } = await sendEmailCode(pending, request);
    return { expiresAt: expiresAt.toISOString() };
  },
  codeSentWithoutJavaScript,
);
