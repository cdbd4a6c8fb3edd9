"use client";

import { nextAuthPost } from "./next-auth-client";

/**
 * Turns the browser's verified pending login into a session (next-auth's
 * credentials sign-in reads the pending-login cookie). Returns null on
 * success, else the message to show.
 */
export async function finishLogin(): Promise<string | null> {
  const done = await nextAuthPost("callback/credentials", window.location.href).catch(() => undefined);
  if (done === undefined) return "Gatehouse could not be reached. Check your connection and try again.";
  const error = done.url?.searchParams.get("error");
  if (done.ok && !error) return null;
  return error && error !== "CredentialsSignin" ? error : "Your login expired. Log in again.";
}
