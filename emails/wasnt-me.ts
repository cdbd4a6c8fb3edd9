import { linkField } from "./fields";
import type { EmailBlock } from "./layout";

// "This wasn't me": every security email ends with a single-use link (7 days)
// that signs the reader out everywhere, suspends what the email reported and
// tells their admins. The outbox blanks the body after delivery like any other
// secret; the link is checked against the hashed token in CompromiseReport.

export const WASNT_ME_VALID_FOR_MS = 7 * 24 * 60 * 60_000;

export const wasntMeField = linkField;

export const WASNT_ME_PREVIEW_LINK = "http://localhost:3000/wasnt-me/preview-token";

/**
 * "suspend": the email reports something the link can suspend (a new key, app, codes).
 * "secure": it reports something already gone or done (a removed key, a changed password):
 * the link secures the account; it does not bring anything back.
 */
export type WasntMeEffect = "suspend" | "secure";

export function wasntMeBlocks(link: string, lead = "If this wasn't you", effect: WasntMeEffect = "secure"): EmailBlock[] {
  const does = effect === "suspend" ? "suspends this change" : "secures your account";
  return [
    {
      type: "paragraph",
      text: `${lead}, use the button below. It signs you out everywhere, ${does} and tells your admins; you then set a new password, or your admin helps you back in.`,
    },
    { type: "button", label: "This wasn't me", url: link },
  ];
}
