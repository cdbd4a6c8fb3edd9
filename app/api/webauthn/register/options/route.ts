import { orgRoute } from "@/lib/auth/route";
import { emptySchema } from "@/lib/validation/webauthn";
import { assertKeysAllowed, startKeyRegistration } from "@/lib/webauthn/registration";

/** Open during MFA enrolment: registering a key is how a user enrols. */
export const POST = orgRoute({ schema: emptySchema, duringEnrolment: true, mailboxProof: true, stepUp: true, precondition: assertKeysAllowed }, (ctx) =>
  startKeyRegistration(ctx),
);
