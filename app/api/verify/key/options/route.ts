import { startKeyVerification } from "@/lib/auth/login-verification";
import { pendingLoginRoute } from "@/lib/auth/route";
import { emptySchema } from "@/lib/validation/webauthn";

export const POST = pendingLoginRoute(emptySchema, async (pending) => ({ options: await startKeyVerification(pending) }));
