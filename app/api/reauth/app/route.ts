import { reauthenticateWithAuthenticator } from "@/lib/auth/reauthentication";
import { orgRoute } from "@/lib/auth/route";
import { reauthAppSchema } from "@/lib/validation/codes";

/**
 * Step 2 with the authenticator app, for a user without a key. Open during enrolment: a user whose role requires a key
 * they don't have yet (DESIGN.md section 14) verifies it's them with their app before registering one.
 */
export const POST = orgRoute({ schema: reauthAppSchema, duringEnrolment: true }, async (ctx, input) => {
  await reauthenticateWithAuthenticator(ctx, input.token, input.code);
  return { verified: true };
});
