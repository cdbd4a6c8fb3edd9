// Identity Verification History's words: its rows are written from typed events (lib/events/projections.ts).

export type VerificationMethod =
  "Password" | "Security key" | "Password and security key" | "Emailed code" | "Recovery code" | "Temporary code" | "Authenticator app" | "Emailed link";
/** Every activity and result a row can carry; the history page's filters offer exactly these. */
export const VERIFICATION_ACTIVITIES = [
  "Login",
  "Device activation",
  "Re-authentication",
  "Register security key",
  "Remove security key",
  "Generate recovery codes",
  "Connect authenticator app",
  "Disconnect authenticator app",
  "Prove email for enrolment",
  "Change password",
  "Reset password",
  "Report “This wasn't me”",
] as const;
export const VERIFICATION_RESULTS = ["Succeeded", "Failed"] as const;
export type VerificationActivity = (typeof VERIFICATION_ACTIVITIES)[number];
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];
