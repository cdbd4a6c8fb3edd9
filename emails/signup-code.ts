import { CODE_VALID_FOR_MS, codeEmailBody, codeEmailPreview, codeEmailSchema } from "./code-email";
import { defineEmailTemplate } from "./template";

/** The 6-digit code that proves the email address of "Create your org" before the org and its admin exist. */
export const signupCodeEmail = defineEmailTemplate({
  name: "signup-code",
  category: "code",
  label: "Sign-up confirmation code",
  schema: codeEmailSchema,
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Confirm your email for Gatehouse",
  secretValidForMs: CODE_VALID_FOR_MS,
  body: (d) =>
    codeEmailBody(d, {
      heading: "Confirm your email",
      intro: `Hi ${d.name}, someone is creating the org ${d.orgName} on Gatehouse with this email address as its first admin. Enter this code to confirm the address is yours:`,
      note: "The code works once and expires after 10 minutes. If this wasn't you, ignore this email: nothing is created without the code.",
    }),
  preview: codeEmailPreview("591736"),
});
