import type { z } from "zod";

// The one map from a validation issue to words a person uses. Schemas that say
// something specific keep their own message; everything else (a bare .max(),
// a missing field, a wrong type) is phrased here, so no page ever shows zod's
// own "Too big: expected string to have <=254 characters".

/** How the forms name each field: "Enter a username." / "Usernames are at most 254 characters." */
const FIELD_NAMES: Record<string, { one: string; many: string }> = {
  username: { one: "username", many: "Usernames" },
  password: { one: "password", many: "Passwords" },
  currentPassword: { one: "password", many: "Passwords" },
  newPassword: { one: "password", many: "Passwords" },
  confirmPassword: { one: "password", many: "Passwords" },
  email: { one: "email address", many: "Email addresses" },
  name: { one: "name", many: "Names" },
  orgName: { one: "org name", many: "Org names" },
  adminName: { one: "name", many: "Names" },
  slug: { one: "URL name", many: "URL names" },
  code: { one: "code", many: "Codes" },
  token: { one: "link", many: "Links" },
  reason: { one: "reason", many: "Reasons" },
  q: { one: "search", many: "Searches" },
};

const GENERIC = { one: "value", many: "Values" };

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

/** A person's sentence for an issue its schema left to the defaults. */
export function humanIssueMessage(issue: z.core.$ZodRawIssue): string {
  const field = FIELD_NAMES[String(issue.path?.[0] ?? "")] ?? GENERIC;
  switch (issue.code) {
    case "too_big":
      return issue.origin === "string" ? `${field.many} are at most ${String(issue.maximum)} characters.` : `That ${field.one} is too large.`;
    case "too_small":
      if (issue.origin !== "string") return `That ${field.one} is too small.`;
      return Number(issue.minimum) <= 1 ? `Enter ${article(field.one)}.` : `${field.many} are at least ${String(issue.minimum)} characters.`;
    case "invalid_type":
      return `Enter ${article(field.one)}.`;
    case "invalid_format":
      return issue.format === "email" ? "Enter a valid email address." : `Check the ${field.one}: it isn't in the expected form.`;
    default:
      return `Check the ${field.one}.`;
  }
}
