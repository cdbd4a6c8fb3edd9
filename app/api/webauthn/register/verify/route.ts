import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { orgRoute } from "@/lib/auth/route";
import { finishRegistrationSchema } from "@/lib/validation/webauthn";
import { assertKeysAllowed, finishKeyRegistration } from "@/lib/webauthn/registration";

/** Open during MFA enrolment: registering a key is how a user enrols. */
export const POST = orgRoute(
  { schema: finishRegistrationSchema, duringEnrolment: true, mailboxProof: true, stepUp: true, precondition: assertKeysAllowed },
  (ctx, input) => finishKeyRegistration(ctx, input.response as RegistrationResponseJSON),
);
