"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { requestInfo } from "@/lib/http/request-info";
import { completeInvitation } from "@/lib/users/invitations";
import { setPasswordSchema } from "@/lib/validation/account";

// Open to anyone: the single-use token from the emailed link (invitation or reset) is the credential.
export const setPasswordAction = publicAction(
  setPasswordSchema,
  async (input) => completeInvitation(input.token, input.password, new Date(), requestInfo(await headers())),
  // Posted before JavaScript ran: a redirect, so the password never reaches a URL; a refusal goes back to the link's page.
  {
    success: () => "/login?password-set=1",
    failure: (error, posted) => `/set-password/${encodeURIComponent(String(posted.token ?? ""))}?reason=${error.fieldErrors ? "check-password" : "try-again"}`,
  },
);
