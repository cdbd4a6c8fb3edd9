import { reauthenticateWithAuthenticator } from "@/lib/auth/reauthentication";
import { orgRoute } from "@/lib/auth/route";
import { reauthAppSchema } from "@/lib/validation/codes";

/** Step 2 with the authenticator app, for a user without a key. */
export const POST = orgRoute({ schema: reauthAppSchema }, async (ctx, input) => {
  await reauthenticateWithAuthenticator(ctx, input.token, input.code);
  return { verified: true };
});
