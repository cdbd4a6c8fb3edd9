"use client";

import { signIn } from "next-auth/react";

/**
 * Turns the browser's verified pending login into a session (next-auth's
 * credentials sign-in reads the pending-login cookie). Returns null on
 * success, else the message to show.
 */
export async function finishLogin(): Promise<string | null> {
  const result = await signIn("credentials", { redirect: false }).catch(() => undefined);
  if (result?.ok && !result.error) return null;
  if (!result) return "Gatehouse could not be reached. Check your connection and try again.";
  return result.error && result.error !== "CredentialsSignin" ? result.error : "Your login expired. Log in again.";
}
