import type { Metadata } from "next";
import Link from "next/link";
import { ForgotPasswordForm } from "./forgot-password-form";
import { DevMailboxNote } from "../dev-mailbox-note";

// Per request: the dev mailbox note depends on the runtime configuration.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Forgot your password?" };

/** Refusals of a form posted without JavaScript, named in the URL it was sent back to. */
const REFUSED: Record<string, string> = {
  "check-username": "Enter your username: the email address you log in with.",
  "try-later": "We couldn't send the link just now. Try again in a few minutes.",
};

export default async function ForgotPasswordPage({ searchParams }: { searchParams: Promise<{ sent?: string; reason?: string }> }) {
  const { sent, reason } = await searchParams;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Forgot your password?</h1>
      <p className="mt-1 text-sm text-slate-500">Enter your username. We'll email you a link to choose a new one.</p>
      <div className="mt-6">
        <ForgotPasswordForm sent={sent === "1"} error={(reason && REFUSED[reason]) ?? null} />
      </div>
      <p className="mt-6 text-center text-sm text-slate-500">
        <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
          Back to log in
        </Link>
      </p>
      <DevMailboxNote />
    </>
  );
}
