import "server-only";
import { dictionary } from "@zxcvbn-ts/language-common";
import { UserFacingError } from "../../errors";

// The password rule (DESIGN.md section 10), applied wherever a password is
// chosen: sign-up, the set-password page (invitation and reset) and "Change
// password". Length is also in the zod schema; the rest needs to know whose
// password it is.

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export const PASSWORD_MESSAGES = {
  tooShort: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  common: "This password is too common: it appears in lists of leaked passwords. Choose one that's harder to guess.",
  repetitive: "This password is too predictable: it repeats a few characters. Choose one that's harder to guess.",
  username: "Don't use your username in your password.",
  orgName: "Don't use your org's name in your password.",
} as const;

/** Whose password it is: a password must not contain either. */
export interface PasswordOwner {
  username: string;
  orgName: string;
}

let common: Set<string> | undefined;

/** The bundled list of common and leaked passwords (zxcvbn's, ~49,000 entries), lower-case. */
function commonPasswords(): Set<string> {
  return (common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase())));
}

const LEET: Record<string, string> = { "@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", $: "s", "5": "s", "7": "t" };

/**
 * The forms of a password that are looked up in the list: as typed, without
 * leading or trailing digits and symbols ("password2024!"), and undoing
 * common letter swaps ("p@ssw0rd").
 */
function candidates(password: string): string[] {
  const lower = password.toLowerCase();
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  const unleet = lower.replace(/[@43105$!7]/g, (c) => LEET[c] ?? c);
  return [lower, core, unleet, unleet.replace(/^[\d\W_]+|[\d\W_]+$/g, "")].filter((c) => c.length >= 4);
}

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");

/** Why this password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, owner?: PasswordOwner): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return PASSWORD_MESSAGES.tooShort;
  if (password.length > MAX_PASSWORD_LENGTH) return PASSWORD_MESSAGES.tooLong;
  if (new Set(password.toLowerCase()).size < 4) return PASSWORD_MESSAGES.repetitive;
  const list = commonPasswords();
  if (candidates(password).some((c) => list.has(c))) return PASSWORD_MESSAGES.common;
  if (owner) {
    const flat = letters(password);
    const local = letters(owner.username.split("@")[0] ?? "");
    if (flat.includes(letters(owner.username)) || (local.length >= 3 && flat.includes(local))) return PASSWORD_MESSAGES.username;
    const org = letters(owner.orgName);
    if (org.length >= 3 && flat.includes(org)) return PASSWORD_MESSAGES.orgName;
  }
  return null;
}

/** Throws the form error for a refused password (on `field`). */
export function assertPasswordAllowed(password: string, owner: PasswordOwner, field = "password"): void {
  const problem = passwordProblem(password, owner);
  if (problem) throw new UserFacingError("Check the highlighted fields.", { [field]: problem });
}
