import Link from "next/link";
import type { ReactNode } from "react";
import { requireOrgContext } from "@/lib/auth/page";
import { LogoutButton } from "../_components/logout-button";
import { Logo } from "../_components/ui";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const ctx = await requireOrgContext({ enrolmentPage: true });
  const links = [
    { href: "/home", label: "Home" },
    { href: "/settings/advanced", label: "Advanced User Details" },
    ...(ctx.role === "ADMIN" ? [{ href: "/setup", label: "Setup" }] : []),
  ];
  return (
    <div className="min-h-screen">
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-6">
          <Link href="/home" aria-label="Gatehouse home">
            <Logo />
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            {links.map((link) => (
              <Link key={link.href} href={link.href} className="rounded-md px-3 py-1.5 text-sm text-slate-300 transition hover:bg-white/10 hover:text-white">
                {link.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="hidden text-slate-400 sm:inline">
              {ctx.orgName} · <span className="text-slate-200">{ctx.username}</span>
            </span>
            <LogoutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
