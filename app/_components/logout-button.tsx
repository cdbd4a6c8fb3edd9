"use client";

import { nextAuthPost } from "./next-auth-client";

/** next-auth's sign-out, then the login page. */
async function logOut() {
  const done = "/login?reason=logged-out";
  try {
    window.location.href = (await nextAuthPost("signout", done)).url?.href ?? done;
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
