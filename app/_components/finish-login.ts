"use client";

/**
 * Turns the browser's verified pending login into a session (next-auth's
 * credentials sign-in reads the pending-login cookie). Returns null on
 * success, else the message to show.
 *
 * The two requests next-auth's `signIn("credentials", { redirect: false })`
 * makes, without next-auth/react: that client (transpiled for old browsers,
 * with its regenerator runtime) was most of the login pages' own JavaScript.
 */
export async function finishLogin(): Promise<string | null> {
  try {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken?: string };
    const response = await fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: csrfToken ?? "", callbackUrl: window.location.href, json: "true" }),
    });
    // With json=true next-auth answers where it would have redirected: with ?error=… when the sign-in failed.
    const { url } = (await response.json()) as { url?: string };
    const error = url ? new URL(url, window.location.href).searchParams.get("error") : "CredentialsSignin";
    if (response.ok && !error) return null;
    return error && error !== "CredentialsSignin" ? error : "Your login expired. Log in again.";
  } catch {
    return "Gatehouse could not be reached. Check your connection and try again.";
  }
}
