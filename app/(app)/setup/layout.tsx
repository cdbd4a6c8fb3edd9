import type { ReactNode } from "react";
import { requireAdminContext } from "@/lib/auth/page";
import { SetupNav } from "./setup-nav";

export default async function SetupLayout({ children }: { children: ReactNode }) {
  await requireAdminContext();
  return (
    <div className="grid gap-8 md:grid-cols-[220px_1fr]">
      <aside className="md:border-r md:border-slate-200 md:pr-6">
        <p className="mb-4 px-3 text-lg font-semibold text-slate-900">Setup</p>
        <SetupNav />
      </aside>
      <div className="min-w-0">{children}</div>
    </div>
  );
}
