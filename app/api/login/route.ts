import { deviceCookieName } from "@/lib/auth/devices";
import { authenticateWithPassword } from "@/lib/auth/login";
import { setPendingLoginCookie } from "@/lib/auth/login-cookies";
import { publicRoute } from "@/lib/auth/route";
import { loginSchema } from "@/lib/validation/account";

// The password step. A correct password leaves a pending login (httpOnly
// cookie), never a session; "verify" sends the browser to /verify,
// "complete" lets it create the session at once (next-auth's sign-in).
export const POST = publicRoute(loginSchema, async (input, request, cookies) => {
  const step = await authenticateWithPassword(input.username, input.password, { ...request, deviceCookie: cookies.get(deviceCookieName()) });
  setPendingLoginCookie(cookies, step.pendingToken);
  return { next: step.next };
});
