import type { ReactNode } from "react";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { SetupNav } from "./setup-nav";

export default async function SetupLayout({ children }: { children: ReactNode }) {
  await requireAdminContext();
  return (
    <div className="grid gap-6 md:grid-cols-[220px_1fr] md:gap-8">
      <aside className="hidden md:block md:border-r md:border-slate-200 md:pr-6">
        <Link href="/setup" className="mb-4 block px-3 text-lg font-semibold text-slate-900 hover:text-brand-700">
          Setup
        </Link>
        <SetupNav />
      </aside>
      {/* Phones: the Setup tree folds away above the page. */}
      <details className="rounded-lg border border-slate-200 bg-white px-3 py-2 md:hidden">
        <summary className="cursor-pointer text-sm font-semibold text-slate-900">Setup menu</summary>
        <div className="mt-3">
          <Link href="/setup" className="mb-3 block px-3 text-sm font-medium text-brand-700">
            Setup home
          </Link>
          <SetupNav />
        </div>
      </details>
      <div className="min-w-0">{children}</div>
    </div>
  );
}
