import type { Metadata } from "next";
import { COMPROMISE_LINK_PROBLEMS, inspectCompromiseLink } from "@/lib/users/compromise";
import { formatDateTime } from "../../../_components/ui";
import { LinkProblem } from "../../link-problem";
import { ConfirmCompromise } from "./confirm-compromise";

export const metadata: Metadata = { title: "This wasn't me", robots: { index: false }, referrer: "no-referrer" };

// Showing this page changes nothing (mail scanners open links): only the button does.
export default async function WasntMePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const link = await inspectCompromiseLink(token);

  if (!link.ok) {
    return <LinkProblem {...COMPROMISE_LINK_PROBLEMS[link.problem]} />;
  }

  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">This wasn't me</h1>
      <p className="mt-1 text-sm text-slate-500">
        For <span className="font-medium text-slate-700">{link.username}</span> in {link.orgName}.
      </p>
      <div className="mt-5 rounded-lg border border-slate-200 bg-slate-50 p-4 text-sm">
        <p className="font-medium text-slate-800">What happened</p>
        <p className="mt-1 text-slate-700">{link.summary}</p>
        <p className="mt-1 text-slate-500">{formatDateTime(link.reportedAt)}</p>
      </div>
      <div className="mt-5 text-sm text-slate-600">
        <p>If you didn't do this, confirm below. Gatehouse will:</p>
        <ul className="mt-2 list-disc space-y-1 pl-5">
          <li>sign you out everywhere and revoke your activated browsers,</li>
          <li>
            suspend this change (and any verification method added since you last verified with an older one), and make your current password stop working,
          </li>
          <li>tell your org's admins,</li>
          <li>email you a link to choose a new password, or, if that would leave you no way to verify, ask your admin to recover your account.</li>
        </ul>
      </div>
      <div className="mt-6">
        <ConfirmCompromise token={token} />
      </div>
    </>
  );
}
