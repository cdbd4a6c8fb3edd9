import type { ReactNode } from "react";
import { requireOrgContext } from "@/lib/auth/page";
import { AppHeader } from "../_components/app-header";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const ctx = await requireOrgContext({ enrolmentPage: true });
  const links = [
    { href: "/home", label: "Home" },
    { href: "/settings/advanced", label: "Advanced User Details" },
    ...(ctx.role === "ADMIN" ? [{ href: "/setup", label: "Setup" }] : []),
  ];
  return (
    <div className="min-h-screen">
      <AppHeader links={links} orgName={ctx.orgName} username={ctx.username} />
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">{children}</main>
    </div>
  );
}
