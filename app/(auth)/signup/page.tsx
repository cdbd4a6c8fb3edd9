import type { Metadata } from "next";
import Link from "next/link";
import { SIGNUP_GONE } from "@/lib/orgs/signup";
import { SignupForm } from "./signup-form";
import { DevMailboxNote } from "../dev-mailbox-note";

// Per request: the dev mailbox note depends on the runtime configuration.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Create your org" };

/** The fields a refusal names, as the form labels them. */
const FIELD_LABELS: Record<string, string> = { orgName: "Org name", slug: "URL name", name: "Your name", email: "Email", password: "Password" };

/** What a form posted without JavaScript was told, from the reason (and field names) in the URL it was sent to. */
function refusal(reason: string | undefined, fields: string | undefined): string | null {
  if (reason === "check-details") {
    const labels = (fields ?? "").split(",").flatMap((name) => FIELD_LABELS[name] ?? []);
    const which = labels.length > 0 ? `: ${labels.join(", ")}` : "";
    return `Check the details and try again${which}. The URL name and email must not be in use already; the password needs at least 12 characters.`;
  }
  if (reason === "try-later") return "We couldn't start your sign-up just now. Try again in a few minutes.";
  if (reason === "signup-expired") return SIGNUP_GONE;
  if (reason === "code-refused") return "That code didn't work. Check the latest email and try again, or start again.";
  return null;
}

export default async function SignupPage({ searchParams }: { searchParams: Promise<{ step?: string; reason?: string; fields?: string }> }) {
  const { step, reason, fields } = await searchParams;
  return (
    <>
      <SignupForm codeStep={step === "code"} notice={refusal(reason, fields)} />
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
