"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { requestInfo } from "@/lib/http/request-info";
import { requestPasswordReset } from "@/lib/users/password-reset";
import { forgotPasswordSchema } from "@/lib/validation/account";

// Open to anyone; answers the same whether or not the username exists.
export const forgotPasswordAction = publicAction(
  forgotPasswordSchema,
  async (input) => {
    await requestPasswordReset(input.username, requestInfo(await headers()));
  },
  // Posted before JavaScript ran: the page says what the script would have shown, the username stays out of the URL.
  { success: () => "/forgot-password?sent=1", failure: (error) => `/forgot-password?reason=${error.fieldErrors?.username ? "check-username" : "try-later"}` },
);
