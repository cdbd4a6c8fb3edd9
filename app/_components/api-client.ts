import type { ActionResult } from "@/lib/auth/action";

/** POSTs JSON to one of our route handlers; network failures become an ordinary error result. */
export async function postJson<T>(url: string, body: unknown = {}): Promise<ActionResult<T>> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return (await response.json()) as ActionResult<T>;
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
