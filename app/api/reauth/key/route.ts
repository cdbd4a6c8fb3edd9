import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { reauthenticateWithKey } from "@/lib/auth/reauthentication";
import { orgRoute } from "@/lib/auth/route";
import { reauthKeySchema } from "@/lib/validation/codes";

/** Step 2 with one of the user's registered keys. */
export const POST = orgRoute({ schema: reauthKeySchema }, async (ctx, input) => {
  await reauthenticateWithKey(ctx, input.response as AuthenticationResponseJSON);
  return { verified: true };
});
