import type { ReactNode } from "react";
import { Logo } from "../_components/ui";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-gradient-to-b from-slate-50 to-slate-100 px-4 py-12">
      <Logo className="mb-8 text-xl text-slate-900" />
      <div className="w-full max-w-md rounded-2xl border border-slate-200 bg-white p-8 shadow-sm">{children}</div>
      <p className="mt-6 text-xs text-slate-500">Identity verification with physical security keys</p>
    </div>
  );
}
