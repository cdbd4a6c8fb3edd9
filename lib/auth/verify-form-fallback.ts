import "server-only";
import { RateLimitedError, ServiceBusyError, UserFacingError } from "../errors";
import { signInFromPendingLogin } from "./login/login-cookies";
import type { FormFallback } from "./route";

// /verify's forms posted before the page's JavaScript ran (progressive
// enhancement): each answer is a redirect, and the refusal's reason is a word
// in /verify's URL, never the code that was typed.

const loginOver = (error: unknown) => error instanceof UserFacingError && "code" in error && error.code === "login-expired";
const tooMany = (error: unknown) => error instanceof RateLimitedError || error instanceof ServiceBusyError;

/** A code accepted: no script is there to sign in next, so the session starts in this response, as after a key. */
export const verifiedWithoutJavaScript: FormFallback<unknown> = {
  async success(_data, { cookies, request }) {
    await signInFromPendingLogin(cookies, request);
    return "/home";
  },
  // A login that is over: /verify itself says so.
  failure: (error) => (loginOver(error) ? "/verify" : `/verify?reason=${tooMany(error) ? "try-later" : "code-refused"}`),
};

/** "Email me a code": /verify then shows the code form (it knows a code was sent). */
export const codeSentWithoutJavaScript: FormFallback<unknown> = {
  success: () => "/verify",
  failure: (error) => (loginOver(error) ? "/verify" : "/verify?reason=not-sent"),
};
