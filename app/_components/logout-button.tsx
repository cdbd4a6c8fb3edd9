"use client";

/** next-auth's sign-out (as `signOut` from next-auth/react does it, without that client's JavaScript), then the login page. */
async function logOut() {
  const done = "/login?reason=logged-out";
  try {
    const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken?: string };
    const response = await fetch("/api/auth/signout", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken: csrfToken ?? "", callbackUrl: done, json: "true" }),
    });
    const { url } = (await response.json()) as { url?: string };
    window.location.href = url ?? done;
  } catch {
    // Not reached: reload, so a session that did end shows as ended and one that did not still shows.
    window.location.reload();
  }
}

export function LogoutButton() {
  return (
    <button
      type="button"
      onClick={() => void logOut()}
      className="whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm text-slate-300 transition hover:bg-white/10 hover:text-white"
    >
      Log out
    </button>
  );
}
