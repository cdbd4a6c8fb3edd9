import { z } from "zod";
import { orgRoute } from "@/lib/auth/route";
import { startKeyRegistration } from "@/lib/webauthn/registration";
import { loadKeySettings } from "@/lib/webauthn/settings";

export const POST = orgRoute({ schema: z.object({}).strict() }, async (ctx) => startKeyRegistration(ctx, await loadKeySettings(ctx)));
