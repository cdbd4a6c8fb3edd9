import type { Metadata } from "next";
import { inspectInvitation, setPasswordProblems } from "@/lib/users/invitations";
import { Alert } from "../../../_components/ui";
import { LinkProblem } from "../../link-problem";
import { SetPasswordForm } from "./set-password-form";

// The link's token never leaves in a Referer for another site. "same-origin", not "no-referrer": a form the browser
// posts itself (before JavaScript runs) must carry this origin, or Next refuses the server action ("Origin: null").
export const metadata: Metadata = { title: "Set your password", robots: { index: false }, referrer: "same-origin" };

/** Refusals of a form posted without JavaScript, named in the URL it was sent back to. */
const REFUSED: Record<string, string> = {
  "check-password": "Check the new password: at least 12 characters, not a common or breached password, typed the same in both fields.",
  "try-again": "Your password could not be saved. Try again.",
};

export default async function SetPasswordPage({ params, searchParams }: { params: Promise<{ token: string }>; searchParams: Promise<{ reason?: string }> }) {
  const { token } = await params;
  const { reason } = await searchParams;
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
      {reason && REFUSED[reason] && (
        <div className="mt-4">
          <Alert>{REFUSED[reason]}</Alert>
        </div>
      )}
      <div className="mt-6">
        <SetPasswordForm token={token} username={invitation.username} />
      </div>
    </>
  );
}
