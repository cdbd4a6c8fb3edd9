import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { currentContext } from "@/lib/auth/context";
import { GENERIC_LOGIN_ERROR } from "@/lib/auth/login/login";
import { Alert } from "../../_components/ui";
import { LoginForm } from "./login-form";
import { DevMailboxNote } from "../dev-mailbox-note";

// Per request: the dev mailbox note depends on the runtime configuration.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Log in" };

// Why the user is back here (?reason=…): after "Log out", or when their session ended mid-task.
const LOGIN_NOTICES: Record<string, { tone: "success" | "info" | "error"; text: string }> = {
  "logged-out": { tone: "success", text: "You've logged out." },
  "session-ended": { tone: "info", text: "Your session has ended. Log in again to continue." },
  // The form posted without JavaScript (/api/login redirects here; the message is the JSON answer's, without the details).
  "login-failed": { tone: "error", text: `${GENERIC_LOGIN_ERROR}.` },
  "try-later": { tone: "error", text: "Too many attempts right now. Try again in a few minutes." },
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await currentContext()) redirect("/home");
  const params = await searchParams;
  const passwordSet = params["password-set"] === "1";
  const notice = typeof params.reason === "string" ? LOGIN_NOTICES[params.reason] : undefined;
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Log in to Gatehouse</h1>
      <p className="mt-1 text-sm text-slate-500">Use the username your admin gave you.</p>
      {notice && (
        <div className="mt-4">
          <Alert tone={notice.tone}>{notice.text}</Alert>
        </div>
      )}
      {passwordSet && (
        <div className="mt-4">
          <Alert tone="success">Your password is set. Log in with your username and new password.</Alert>
        </div>
      )}
      <div className="mt-6">
        <LoginForm />
      </div>
      <p className="mt-4 text-center text-sm">
        <Link href="/forgot-password" className="font-medium text-brand-600 hover:text-brand-700">
          Forgot your password?
        </Link>
      </p>
      <p className="mt-6 text-center text-sm text-slate-500">
        New to Gatehouse?{" "}
        <Link href="/signup" className="font-medium text-brand-600 hover:text-brand-700">
          Create your org
        </Link>
      </p>
      <DevMailboxNote />
    </>
  );
}
