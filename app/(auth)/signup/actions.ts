"use server";

import { headers } from "next/headers";
import { z } from "zod";
import { publicAction } from "@/lib/auth/action";
import { loginAfterSignup } from "@/lib/auth/login";
import { addDeviceToken, serverActionCookies, setPendingLoginCookie } from "@/lib/auth/login-cookies";
import { requestInfo } from "@/lib/http/request-info";
import { completeSignup, resendSignupCode, SIGNUP_COOKIE_MAX_AGE_S, signupCookieName, startSignup } from "@/lib/orgs/signup";
import { signupCodeSchema, signupSchema } from "@/lib/validation/account";

// "Create your org": step 1 emails a code and names the pending sign-up in an
// httpOnly cookie; step 2 takes the code in the same browser.

// Shape only here: startSignup parses with signupSchema itself, so that a taken URL name or email
// is reported together with the format errors of the other fields (all field errors at once).
const signupFormSchema = z.object(Object.fromEntries(Object.keys(signupSchema.shape).map((key) => [key, z.string().max(1000).optional()])));

export const startSignupAction = publicAction(signupFormSchema, async (input) => {
  const started = await startSignup(input, requestInfo(await headers()));
  (await serverActionCookies()).set(signupCookieName(), started.token, SIGNUP_COOKIE_MAX_AGE_S);
  return { emailHint: started.emailHint };
});

export const resendSignupCodeAction = publicAction(z.object({}), async () => {
  const cookies = await serverActionCookies();
  const { emailHint } = await resendSignupCode(cookies.get(signupCookieName()), requestInfo(await headers()));
  return { emailHint };
});

// The browser that creates an org is its first admin's first device: it is
// activated at once, and a verified pending login lets the form sign in.
export const completeSignupAction = publicAction(signupCodeSchema, async ({ code }) => {
  const cookies = await serverActionCookies();
  const request = requestInfo(await headers());
  const created = await completeSignup(cookies.get(signupCookieName()), code, request);
  cookies.set(signupCookieName(), "", 0);
  const { pendingToken, deviceToken } = await loginAfterSignup(created, request);
  setPendingLoginCookie(cookies, pendingToken);
  addDeviceToken(cookies, deviceToken);
  return { username: created.username };
});
