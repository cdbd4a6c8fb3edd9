"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

type NavItem = { href: string; label: string };
type NavGroup = { heading: string; items?: NavItem[]; subgroups?: { label: string; items: NavItem[] }[] };

// The Setup tree, like a CRM's (DESIGN.md section 2). Only pages that exist are listed.
const TREE: NavGroup[] = [
  { heading: "Settings", subgroups: [{ label: "Security", items: [{ href: "/setup/session-settings", label: "Session Settings" }] }] },
  {
    heading: "Administration",
    items: [
      { href: "/setup/users", label: "Users" },
      { href: "/setup/api-tokens", label: "API Tokens" },
    ],
  },
  {
    heading: "Monitoring",
    items: [
      { href: "/setup/verification-history", label: "Identity Verification History" },
      { href: "/setup/login-history", label: "Login History" },
      { href: "/setup/audit-trail", label: "Setup Audit Trail" },
      { href: "/setup/email-log", label: "Email Log" },
      { href: "/setup/event-streams", label: "Event Streams" },
    ],
  },
];

export function SetupNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Setup" className="space-y-6">
      {TREE.map((group) => (
        <div key={group.heading}>
          <p className="px-3 text-xs font-semibold uppercase tracking-wide text-slate-500">{group.heading}</p>
          {group.items && <NavList items={group.items} pathname={pathname} />}
          {group.subgroups?.map((sub) => (
            <div key={sub.label} className="mt-2">
              <p className="px-3 text-sm font-medium text-slate-700">{sub.label}</p>
              <div className="ml-3 border-l border-slate-200 pl-1">
                <NavList items={sub.items} pathname={pathname} />
              </div>
            </div>
          ))}
        </div>
      ))}
    </nav>
  );
}

function NavList({ items, pathname }: { items: NavItem[]; pathname: string }) {
  return (
    <ul className="mt-2 space-y-0.5">
      {items.map((item) => {
        const active = pathname === item.href || pathname.startsWith(`${item.href}/`);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`block rounded-md px-3 py-1.5 text-sm transition ${
                active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
              }`}
            >
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
