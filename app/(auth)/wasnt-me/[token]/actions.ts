"use server";

import { headers } from "next/headers";
import { publicAction } from "@/lib/auth/action";
import { requestInfo } from "@/lib/http/request-info";
import { confirmCompromiseLink } from "@/lib/users/compromise";
import { compromiseConfirmSchema } from "@/lib/validation/account";

// Open to anyone: the single-use token from the security email is the credential (no login: the reader may be locked out).
export const confirmCompromiseAction = publicAction(compromiseConfirmSchema, async (input) => confirmCompromiseLink(input.token, requestInfo(await headers())));
