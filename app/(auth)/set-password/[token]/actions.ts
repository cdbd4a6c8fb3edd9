"use server";

import { publicAction } from "@/lib/auth/action";
import { completeInvitation } from "@/lib/users/invitations";
import { setPasswordSchema } from "@/lib/validation/account";

// Open to anyone: the single-use token from the emailed link is the credential.
export const setPasswordAction = publicAction(setPasswordSchema, (input) => completeInvitation(input.token, input.password));
