"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { postedWithoutJavaScript, publicAction, type ActionError } from "@/lib/auth/action";
import { loginAfterSignup } from "@/lib/auth/login/login";
import { addDeviceToken, serverActionCookies, setPendingLoginCookie, signInFromPendingLogin } from "@/lib/auth/login/login-cookies";
import { requestInfo } from "@/lib/http/request-info";
import { completeSignup, resendSignupCode, SIGNUP_COOKIE_MAX_AGE_S, signupCookieName, startSignup } from "@/lib/orgs/signup";
import { signupCodeSchema, signupSchema } from "@/lib/validation/account";

// "Create your org": step 1 emails a code and names the pending sign-up in an
// httpOnly cookie; step 2 takes the code in the same browser.

// Shape only here: startSignup parses with signupSchema itself, so that a taken URL name or email
// is reported together with the format errors of the other fields (all field errors at once).
const signupFormSchema = z.object(Object.fromEntries(Object.keys(signupSchema.shape).map((key) => [key, z.string().max(1000).optional()])));

/** A refusal for a form posted without JavaScript: its reason and the fields to check, by name (never what was typed). */
function refusedDetails(error: ActionError): string {
  const fields = Object.keys(error.fieldErrors ?? {}).filter((name) => name in signupSchema.shape);
  return fields.length > 0 ? `/signup?reason=check-details&fields=${fields.join(",")}` : "/signup?reason=try-later";
}

export const startSignupAction = publicAction(
  signupFormSchema,
  async (input) => {
    const started = await startSignup(input, requestInfo(await headers()));
    (await serverActionCookies()).set(signupCookieName(), started.token, SIGNUP_COOKIE_MAX_AGE_S);
    return { emailHint: started.emailHint };
  },
  // Posted before JavaScript ran: the code step is a page of its own (the sign-up cookie names the pending sign-up).
  { success: () => "/signup?step=code", failure: refusedDetails },
);

export const resendSignupCodeAction = publicAction(z.object({}), async () => {
  const cookies = await serverActionCookies();
  const { emailHint } = await resendSignupCode(cookies.get(signupCookieName()), requestInfo(await headers()));
  return { emailHint };
});

// The browser that creates an org is its first admin's first device: it is
// activated at once, and a verified pending login lets the form sign in.
export const completeSignupAction = publicAction(
  signupCodeSchema,
  async ({ code }) => {
    const cookies = await serverActionCookies();
    const request = requestInfo(await headers());
    const created = await completeSignup(cookies.get(signupCookieName()), code, request);
    cookies.set(signupCookieName(), "", 0);
    const { pendingToken, deviceToken } = await loginAfterSignup(created, request);
    setPendingLoginCookie(cookies, pendingToken);
    addDeviceToken(cookies, deviceToken);
    // Without JavaScript no script signs in next: the session starts in this response, as after a key on /verify.
    if (await postedWithoutJavaScript()) await signInFromPendingLogin(cookies, request, pendingToken);
    return { username: created.username };
  },
  {
    success: () => "/home",
    failure: (error) => (error.code === "signup-expired" ? "/signup?reason=signup-expired" : "/signup?step=code&reason=code-refused"),
  },
);
