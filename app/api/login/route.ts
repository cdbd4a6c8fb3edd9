import { deviceCookieName } from "@/lib/auth/login/devices";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { setPendingLoginCookie, signInFromPendingLogin } from "@/lib/auth/login/login-cookies";
import { publicRoute } from "@/lib/auth/route";
import { RateLimitedError, ServiceBusyError } from "@/lib/errors";
import { loginSchema } from "@/lib/validation/account";

// The password step. A correct password leaves a pending login (httpOnly
// cookie), never a session, when "verify" sends the browser to /verify;
// "complete" comes with the session already started (signedIn).
export const POST = publicRoute(
  loginSchema,
  async (input, request, cookies) => {
    const step = await authenticateWithPassword(input.username, input.password, { ...request, deviceCookie: cookies.get(deviceCookieName()) });
    if (step.next === "verify") {
      setPendingLoginCookie(cookies, step.pendingToken);
      return { next: step.next };
    }
    // Nothing more is needed: the session starts in this response (next-auth's cookie), as after a key on /verify.
    await signInFromPendingLogin(cookies, request, step.pendingToken);
    return { next: step.next, signedIn: true };
  },
  {
    // The login form posted before JavaScript ran: the same step, answered with a redirect.
    success: (data) => (data.next === "verify" ? "/verify" : "/home"),
    failure: (error) => `/login?reason=${error instanceof RateLimitedError || error instanceof ServiceBusyError ? "try-later" : "login-failed"}`,
  },
);
