import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { reauthenticateWithKey } from "@/lib/auth/fresh-auth";
import { orgRoute } from "@/lib/auth/route";
import { reauthKeySchema } from "@/lib/validation/webauthn";
import { loadKeySettings } from "@/lib/webauthn/settings";

export const POST = orgRoute({ schema: reauthKeySchema }, async (ctx, input, request) => {
  await reauthenticateWithKey(ctx, input.response as AuthenticationResponseJSON, await loadKeySettings(ctx), request);
  return { verified: true };
});
