"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { activateDevice } from "@/lib/auth/devices";
import { addDeviceToken, serverActionCookies, setPendingLoginCookie } from "@/lib/auth/login-cookies";
import { createPendingLogin } from "@/lib/auth/pending-login";
import { db } from "@/lib/db/client";
import { requestInfo } from "@/lib/http/request-info";
import { createOrgWithAdmin } from "@/lib/orgs/mutations";
import { signupSchema } from "@/lib/validation/account";

// The browser that creates an org is its first admin's first device: it is
// activated at once, and a verified pending login lets the form sign in.
export const createOrgAction = publicAction(signupSchema, async (input) => {
  const { username, userId, orgId } = await createOrgWithAdmin(input);
  const request = requestInfo(await headers());
  const pendingToken = await createPendingLogin({ id: userId, orgId }, { secondFactor: false, deviceActivation: false }, request, new Date(), "Sign-up");
  const deviceToken = await db().$transaction((tx) => activateDevice(tx, { userId, orgId }, request));
  const cookies = await serverActionCookies();
  setPendingLoginCookie(cookies, pendingToken);
  addDeviceToken(cookies, deviceToken);
  return { username };
});
