import type { Metadata } from "next";
import Link from "next/link";
import { SignupForm } from "./signup-form";
import { DevMailboxNote } from "../dev-mailbox-note";

// Per request: the dev mailbox note depends on the runtime configuration.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Create your org" };

export default function SignupPage() {
  return (
    <>
      <SignupForm />
      <p className="mt-6 text-center text-sm text-slate-500">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
          Log in
        </Link>
      </p>
      <DevMailboxNote />
    </>
  );
}
