import { reauthenticateWithPassword } from "@/lib/auth/reauthentication";
import { orgRoute } from "@/lib/auth/route";
import { reauthPasswordSchema } from "@/lib/validation/codes";

/** "For security purposes, verify it's you", step 1. Open during MFA enrolment, which starts with it. */
export const POST = orgRoute({ schema: reauthPasswordSchema, duringEnrolment: true }, (ctx, input) => reauthenticateWithPassword(ctx, input.password));
