import { reauthenticateWithPassword } from "@/lib/auth/fresh-auth";
import { orgRoute } from "@/lib/auth/route";
import { reauthPasswordSchema } from "@/lib/validation/webauthn";
import { loadKeySettings } from "@/lib/webauthn/settings";

export const POST = orgRoute({ schema: reauthPasswordSchema }, async (ctx, input, request) =>
  reauthenticateWithPassword(ctx, input.password, await loadKeySettings(ctx), request),
);
