import type { Metadata } from "next";
import Link from "next/link";
import { inspectInvitation, setPasswordProblems } from "@/lib/users/invitations";
import { SetPasswordForm } from "./set-password-form";

export const metadata: Metadata = { title: "Set your password", robots: { index: false }, referrer: "no-referrer" };

export default async function SetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await inspectInvitation(token);

  if (!invitation.ok) {
    const problem = setPasswordProblems(invitation.purpose)[invitation.problem];
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">{problem.title}</h1>
        <p className="mt-2 text-sm text-slate-600">{problem.detail}</p>
        <Link href="/login" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:text-brand-700">
          Go to the login page
        </Link>
      </>
    );
  }

  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">{invitation.purpose === "reset" ? "Choose a new password" : "Set your password"}</h1>
      <p className="mt-1 text-sm text-slate-500">
        For <span className="font-medium text-slate-700">{invitation.username}</span> in {invitation.orgName}.{" "}
        {invitation.purpose === "reset"
          ? "Saving it signs you out everywhere; your next login still asks you to verify it's you."
          : "You'll log in with this username."}
      </p>
      <div className="mt-6">
        <SetPasswordForm token={token} username={invitation.username} />
      </div>
    </>
  );
}
