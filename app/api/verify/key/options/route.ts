import { startKeyVerification } from "@/lib/auth/login/verify-key";
import { pendingLoginRoute } from "@/lib/auth/route";
import { emptySchema } from "@/lib/validation/webauthn";

export const POST = pendingLoginRoute(emptySchema, async (pending) => ({ options: await startKeyVerification(pending) }));
