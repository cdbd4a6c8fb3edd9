import type { Metadata } from "next";
import Link from "next/link";
import { requireOrgContext } from "@/lib/auth/page";
import { userMethods } from "@/lib/verification/methods";
import { KeyRequirementNotice } from "../../_components/key-requirement-notice";
import { Alert, ButtonLink, Card, PageHeader } from "../../_components/ui";

export const metadata: Metadata = { title: "Home" };

const METHOD_NAMES = { "security-key": "a security key", "authenticator-app": "an authenticator app" } as const;

export default async function HomePage() {
  const ctx = await requireOrgContext();
  const { secondFactors } = await userMethods(ctx);
  const mfa = ctx.mfa;
  // Only what the org allows is suggested: no "add a key" while keys are off.
  const addable = [ctx.policy.allowSecurityKeys && "a security key", ctx.policy.allowTotp && "an authenticator app"].filter((m): m is string => Boolean(m));
  return (
    <>
      <PageHeader title={`Welcome, ${ctx.userName}`} description={`You're logged in to ${ctx.orgName}.`} />
      {mfa.graceDaysLeft !== null && (
        <div className="mb-6">
          <Alert tone="warning">
            {ctx.orgName} will require multi-factor authentication in {mfa.graceDaysLeft} day{mfa.graceDaysLeft === 1 ? "" : "s"}.{" "}
            {addable.length > 0 ? `Add ${addable.join(" or ")} in Advanced User Details before then.` : "Ask your admin how to set up a second step."}
          </Alert>
        </div>
      )}
      {mfa.keyRequirement?.daysLeft != null && (
        <div className="mb-6">
          <KeyRequirementNotice orgName={ctx.orgName} status={mfa.keyRequirement} />
        </div>
      )}
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Your verification methods" description="How you prove it's you when you log in.">
          <p className="text-sm text-slate-600">
            {secondFactors.length === 0
              ? addable.length > 0
                ? `Your password is your only verification method. Add ${addable.join(" or ")} in Advanced User Details.`
                : "Your password is your only verification method."
              : `You verify with ${secondFactors.map((m) => METHOD_NAMES[m]).join(" and ")} after your password.`}
          </p>
          {!ctx.policy.allowSecurityKeys && (
            <p className="mt-2 text-sm text-slate-500">
              Your org hasn't turned on security keys.{" "}
              {ctx.role === "ADMIN" && (
                <Link href="/setup/session-settings" className="font-medium text-brand-600 hover:text-brand-700">
                  Turn them on in Session Settings
                </Link>
              )}
            </p>
          )}
          <div className="mt-4">
            <ButtonLink href="/settings/advanced" variant="secondary">
              Open Advanced User Details
            </ButtonLink>
          </div>
        </Card>
        {ctx.role === "ADMIN" && (
          <Card title="Setup" description={`Administer ${ctx.orgName}.`}>
            <p className="text-sm text-slate-600">Set your org's security policy, add users and see who has access.</p>
            <div className="mt-4 flex flex-wrap gap-2">
              <ButtonLink href="/setup" variant="secondary">
                Open Setup
              </ButtonLink>
              <ButtonLink href="/setup/session-settings" variant="secondary">
                Session Settings
              </ButtonLink>
              <ButtonLink href="/setup/users" variant="secondary">
                Manage users
              </ButtonLink>
            </div>
          </Card>
        )}
      </div>
    </>
  );
}
