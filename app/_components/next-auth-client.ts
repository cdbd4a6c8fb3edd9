"use client";

/**
 * One of next-auth's form posts as its client library makes them (a CSRF token first, then the form with
 * json=true), without that library: next-auth 4's client ships transpiled for old browsers and was most of the
 * login pages' own JavaScript. Answers whether next-auth accepted it, and where it would have redirected (with
 * ?error=… when it refused; null when it named nowhere). Throws when Gatehouse cannot be reached.
 */
export async function nextAuthPost(path: "callback/credentials" | "signout", callbackUrl: string): Promise<{ ok: boolean; url: URL | null }> {
  const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken?: string };
  const response = await fetch(`/api/auth/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken: csrfToken ?? "", callbackUrl, json: "true" }),
  });
  const { url } = (await response.json()) as { url?: string };
  return { ok: response.ok, url: url ? new URL(url, window.location.href) : null };
}
