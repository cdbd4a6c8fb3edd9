"use server";

import { publicAction } from "@/lib/auth/action";
import { createOrgWithAdmin } from "@/lib/orgs/mutations";
import { signupSchema } from "@/lib/validation/account";

export const createOrgAction = publicAction(signupSchema, async (input) => {
  const { username } = await createOrgWithAdmin(input);
  return { username };
});
