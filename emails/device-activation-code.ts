import { CODE_VALID_FOR_MS, codeEmailBody, codeEmailPreview, codeEmailSchema } from "./code-email";
import { defineEmailTemplate } from "./template";
import { WASNT_ME_PREVIEW_LINK, wasntMeBlocks, wasntMeField } from "./wasnt-me";

/** The 6-digit code that activates a new browser for a user without another verification method. */
export const deviceActivationCodeEmail = defineEmailTemplate({
  name: "device-activation-code",
  category: "code",
  label: "Device activation code",
  schema: codeEmailSchema.extend({ wasntMeLink: wasntMeField }),
  // The code is in the body only: subjects show in notifications and mail logs.
  subject: () => "Your Gatehouse verification code",
  secretValidForMs: CODE_VALID_FOR_MS,
  body: (d) => [
    ...codeEmailBody(d, {
      heading: "Verify it's you",
      intro: `Hi ${d.name}, someone logged in to your ${d.orgName} account on Gatehouse from a browser it hasn't seen before. Enter this code to activate it:`,
      note: "The code works once and expires after 10 minutes. If this wasn't you, don't share the code: someone knows your password.",
    }),
    ...wasntMeBlocks(d.wasntMeLink),
  ],
  preview: { ...codeEmailPreview("482913"), wasntMeLink: WASNT_ME_PREVIEW_LINK },
});
