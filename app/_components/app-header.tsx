"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { LogoutButton } from "./logout-button";
import { Logo } from "./ui";

type Props = { links: { href: string; label: string }[]; orgName: string; username: string };

/** The top bar: links inline from 640 px up; below that, a "Menu" button opens them (and Log out) as a list. */
export function AppHeader({ links, orgName, username }: Props) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const isCurrent = (href: string) => pathname === href || pathname.startsWith(`${href}/`);
  return (
    <header className="bg-slate-900 text-white">
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4 sm:px-6">
        <Link href="/home">
          <Logo />
        </Link>
        <nav aria-label="Main" className="hidden gap-1 sm:flex">
          {links.map((link) => (
            <Link
              key={link.href}
              href={link.href}
              aria-current={isCurrent(link.href) ? "page" : undefined}
              className="whitespace-nowrap rounded-md px-3 py-1.5 text-sm text-slate-300 transition hover:bg-white/10 hover:text-white aria-[current=page]:bg-white/10 aria-[current=page]:text-white"
            >
              {link.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto hidden min-w-0 items-center gap-3 text-sm sm:flex">
          {/* One line, cut with an ellipsis: the full org name and username are in the tooltip. */}
          <span className="hidden min-w-0 max-w-md truncate text-slate-400 [overflow-wrap:normal] lg:block" title={`${orgName} · ${username}`}>
            {orgName} · <span className="text-slate-200">{username}</span>
          </span>
          <LogoutButton />
        </div>
        <button
          type="button"
          aria-expanded={open}
          aria-controls="mobile-menu"
          onClick={() => setOpen((o) => !o)}
          className="ml-auto inline-flex items-center gap-2 rounded-md px-3 py-1.5 text-sm text-slate-200 hover:bg-white/10 sm:hidden"
        >
          <svg aria-hidden viewBox="0 0 20 20" className="h-4 w-4" fill="currentColor">
            {open ? (
              <path d="M5.3 4.3a1 1 0 0 1 1.4 0L10 7.6l3.3-3.3a1 1 0 1 1 1.4 1.4L11.4 9l3.3 3.3a1 1 0 0 1-1.4 1.4L10 10.4l-3.3 3.3a1 1 0 0 1-1.4-1.4L8.6 9 5.3 5.7a1 1 0 0 1 0-1.4Z" />
            ) : (
              <path d="M3 5a1 1 0 0 1 1-1h12a1 1 0 1 1 0 2H4a1 1 0 0 1-1-1Zm0 5a1 1 0 0 1 1-1h12a1 1 0 1 1 0 2H4a1 1 0 0 1-1-1Zm1 4a1 1 0 1 0 0 2h12a1 1 0 1 0 0-2H4Z" />
            )}
          </svg>
          Menu
        </button>
      </div>
      {open && (
        <div id="mobile-menu" className="border-t border-white/10 px-4 pb-4 pt-2 sm:hidden">
          <nav aria-label="Main" className="flex flex-col gap-1">
            {links.map((link) => (
              <Link
                key={link.href}
                href={link.href}
                aria-current={isCurrent(link.href) ? "page" : undefined}
                onClick={() => setOpen(false)}
                className="rounded-md px-3 py-2 text-sm text-slate-200 hover:bg-white/10 aria-[current=page]:bg-white/10 aria-[current=page]:text-white"
              >
                {link.label}
              </Link>
            ))}
          </nav>
          <div className="mt-3 flex items-center justify-between gap-3 border-t border-white/10 pt-3 text-sm">
            <span className="min-w-0 truncate text-slate-400">
              {orgName} · <span className="text-slate-200">{username}</span>
            </span>
            <LogoutButton />
          </div>
        </div>
      )}
    </header>
  );
}
