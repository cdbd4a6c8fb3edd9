"use client";

import { signOut } from "next-auth/react";

export function LogoutButton() {
  return (
    <button
      type="button"
      onClick={() => signOut({ callbackUrl: "/login?reason=logged-out" })}
      className="whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm text-slate-300 transition hover:bg-white/10 hover:text-white"
    >
      Log out
    </button>
  );
}
