import { CODE_VALID_FOR_MS, codeEmailBody, codeEmailPreview, codeEmailSchema } from "./code-email";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** The 6-digit code that proves a user's mailbox before they enrol a first factor under required MFA. */
export const enrolmentCodeEmail = defineEmailTemplate({
  name: "enrolment-code",
  category: "code",
  label: "Email confirmation code (MFA enrolment)",
  schema: codeEmailSchema.extend({ wasntMeLink: wasntMeField }),
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Confirm your email to set up multi-factor authentication",
  secretValidForMs: CODE_VALID_FOR_MS,
  body: (d) => [
    ...codeEmailBody(d, {
      heading: "Confirm your email",
      intro: `Hi ${d.name}, ${d.orgName} requires multi-factor authentication, so you're setting up a security key or an authenticator app on Gatehouse. Enter this code first to confirm this email address is yours:`,
      note: "The code works once and expires after 10 minutes. If you aren't setting up a security key or an authenticator app right now, don't share the code: someone knows your password.",
    }),
    ...wasntMeBlocks(d.wasntMeLink, "If you aren't setting one up"),
  ],
  preview: { ...codeEmailPreview("730415"), wasntMeLink: WASNT_ME_PREVIEW_LINK },
});
