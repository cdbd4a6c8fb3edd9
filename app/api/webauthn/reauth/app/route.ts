import { reauthenticateWithAuthenticator } from "@/lib/auth/fresh-auth";
import { orgRoute } from "@/lib/auth/route";
import { reauthAppSchema } from "@/lib/validation/webauthn";

export const POST = orgRoute({ schema: reauthAppSchema }, async (ctx, input, request) => {
  await reauthenticateWithAuthenticator(ctx, input.token, input.code, request);
  return { verified: true };
});
