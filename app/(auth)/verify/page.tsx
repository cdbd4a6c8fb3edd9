import type { Metadata } from "next";
import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentContext } from "@/lib/auth/context";
import { verificationChoices, type VerificationChoices } from "@/lib/auth/login/verification-choices";
import { findPendingLogin, pendingLoginCookieName } from "@/lib/auth/login/pending-login";
import { Alert } from "../../_components/ui";
import { VerifyForm } from "./verify-form";
import { DevMailboxNote } from "../dev-mailbox-note";

// Per request: the dev mailbox note depends on the runtime configuration.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Verify your identity" };

/** Why this login is asked to verify: a browser Gatehouse hasn't seen, the org's second step, or both. */
function whyAsked({ needs, orgName, userName }: VerificationChoices): string {
  if (needs.deviceActivation && needs.secondFactor) {
    return `You're logging in from a browser Gatehouse hasn't seen, and ${orgName} asks for a second step when you log in. One verification does both.`;
  }
  if (needs.deviceActivation) return `You're logging in to ${orgName} from a browser Gatehouse hasn't seen. Verify it's you to activate it.`;
  return `${orgName} asks for a second step when you log in, ${userName}.`;
}

/** Refusals of a form posted without JavaScript, named in the URL it was sent back to. */
const REFUSED: Record<string, string> = {
  "code-refused": "That code didn't work. Check it and try again.",
  "try-later": "Too many attempts. Wait a few minutes and try again.",
  "not-sent": "We couldn't send a code just now. Try again in a few minutes.",
};

export default async function VerifyPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  if (await currentContext()) redirect("/home");
  const pending = await findPendingLogin((await cookies()).get(pendingLoginCookieName())?.value);
  if (!pending) {
    return (
      <>
        <h1 className="text-xl font-semibold text-slate-900">Verify your identity</h1>
        <div className="mt-4">
          <Alert>Your login expired. Log in again.</Alert>
        </div>
        <p className="mt-6 text-center text-sm">
          <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
            Log in again
          </Link>
        </p>
      </>
    );
  }
  const choices = await verificationChoices(pending);
  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Verify your identity</h1>
      <p className="mt-1 text-sm text-slate-500">{whyAsked(choices)}</p>
      {choices.adminRecovery && (
        <div className="mt-4">
          <Alert tone="warning">
            <span className="font-medium">Admin recovery required.</span> After a “This wasn't me” report, your account can only be verified with a temporary
            verification code{" "}
            {choices.adminRecovery === "operator"
              ? "from whoever runs your Gatehouse server: you are the only admin of your org, so they recover your account (npm run user:recover)."
              : `from an admin of ${choices.orgName}. Contact them: they will check it's you and give you one.`}
          </Alert>
        </div>
      )}
      {choices.secondFactorLocked && (
        <div className="mt-4">
          <Alert tone="warning">
            <span className="font-medium">Too many failed verifications.</span> Codes no longer work on a browser you haven't activated before. Use a browser
            you activated before, your security key, or a temporary verification code from an admin of {choices.orgName}.
          </Alert>
        </div>
      )}
      {choices.flaggedKeyNames.length > 0 && (
        <div className="mt-4">
          <Alert tone="warning">
            {choices.flaggedKeyNames.length === 1
              ? `Your security key “${choices.flaggedKeyNames[0]}” isn't offered:`
              : `Your security keys ${choices.flaggedKeyNames.map((n) => `“${n}”`).join(", ")} aren't offered:`}{" "}
            Gatehouse saw signs that it may have been copied (possible cloned key), so it can't be used until an admin of {choices.orgName} reviews it. Use
            another method, and tell your admin.
          </Alert>
        </div>
      )}
      {reason && REFUSED[reason] && (
        <div className="mt-4">
          <Alert>{REFUSED[reason]}</Alert>
        </div>
      )}
      <div className="mt-6">
        <VerifyForm methods={choices.methods} emailHint={choices.emailHint} emailCodeSent={choices.emailCodeSent} verified={Boolean(pending.verifiedAt)} />
      </div>
      <p className="mt-6 text-center text-sm text-slate-500">
        Not you, or stuck?{" "}
        <Link href="/login" className="font-medium text-brand-600 hover:text-brand-700">
          Log in again
        </Link>
      </p>
      <DevMailboxNote />
    </>
  );
}
