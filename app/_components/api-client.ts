import type { ActionResult } from "@/lib/auth/action";

/**
 * The session ended while the user was doing something (timeout, logged out
 * elsewhere, deactivated): rather than an error over stale data, go to /login,
 * which says why. True when it navigates away; pass every action result here.
 */
export function leaveIfSessionEnded(result: ActionResult<unknown> | null | undefined): boolean {
  if (!result || result.ok || result.code !== "signed-out") return false;
  window.location.assign("/login?reason=session-ended");
  return true;
}

/** POSTs JSON to one of our route handlers; network failures become an ordinary error result. */
export async function postJson<T>(url: string, body: unknown = {}): Promise<ActionResult<T>> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const result = (await response.json()) as ActionResult<T>;
    leaveIfSessionEnded(result);
    return result;
  } catch {
    return { ok: false, error: "Gatehouse could not be reached. Check your connection and try again." };
  }
}

/** A message for a failed browser WebAuthn call (timeout/cancel, already registered, ...). */
export function ceremonyErrorMessage(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (name === "InvalidStateError" || code === "ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED") return "This security key is already registered";
  if (name === "NotAllowedError" || name === "AbortError" || code === "ERROR_CEREMONY_ABORTED") {
    return "The security key request timed out or was canceled. Try again, and touch your key when it blinks.";
  }
  if (name === "SecurityError") return "Your browser refused the request for this site's address. Open Gatehouse at its configured URL.";
  if (name === "NotSupportedError") return "This browser or key doesn't support what your org requires. Try another key or browser.";
  return "Your browser couldn't talk to the security key. Try again.";
}
