import type { Metadata } from "next";
import { inspectInvitation, setPasswordProblems } from "@/lib/users/invitations";
import { LinkProblem } from "../../link-problem";
import { SetPasswordForm } from "./set-password-form";

export const metadata: Metadata = { title: "Set your password", robots: { index: false }, referrer: "no-referrer" };

export default async function SetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await inspectInvitation(token);

  if (!invitation.ok) {
    return <LinkProblem {...setPasswordProblems(invitation.purpose)[invitation.problem]} />;
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
