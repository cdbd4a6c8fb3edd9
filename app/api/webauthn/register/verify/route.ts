import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { orgRoute } from "@/lib/auth/route";
import { finishRegistrationSchema } from "@/lib/validation/webauthn";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { loadKeySettings } from "@/lib/webauthn/settings";

export const POST = orgRoute({ schema: finishRegistrationSchema }, async (ctx, input, request) =>
  finishKeyRegistration(ctx, input.response as RegistrationResponseJSON, await loadKeySettings(ctx), request),
);
