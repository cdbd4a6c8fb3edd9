"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { loginAfterSignup } from "@/lib/auth/login";
import { addDeviceToken, serverActionCookies, setPendingLoginCookie } from "@/lib/auth/login-cookies";
import { requestInfo } from "@/lib/http/request-info";
import { createOrgWithAdmin } from "@/lib/orgs/mutations";
import { signupSchema } from "@/lib/validation/account";

// The browser that creates an org is its first admin's first device: it is
// activated at once, and a verified pending login lets the form sign in.
export const createOrgAction = publicAction(signupSchema, async (input) => {
  const created = await createOrgWithAdmin(input);
  const { pendingToken, deviceToken } = await loginAfterSignup(created, requestInfo(await headers()));
  const cookies = await serverActionCookies();
  setPendingLoginCookie(cookies, pendingToken);
  addDeviceToken(cookies, deviceToken);
  return { username: created.username };
});
