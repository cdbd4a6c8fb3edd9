"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { requestInfo } from "@/lib/http/request-info";
import { requestPasswordReset } from "@/lib/users/password-reset";
import { forgotPasswordSchema } from "@/lib/validation/account";

// Open to anyone; answers the same whether or not the username exists.
export const forgotPasswordAction = publicAction(forgotPasswordSchema, async (input) => {
  await requestPasswordReset(input.username, requestInfo(await headers()));
});
