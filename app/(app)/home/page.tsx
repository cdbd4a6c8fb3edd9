import type { Metadata } from "next";
import { requireOrgContext } from "@/lib/auth/page";
import { userMethods } from "@/lib/verification/methods";
import { Alert, ButtonLink, Card, PageHeader } from "../../_components/ui";

export const metadata: Metadata = { title: "Home" };

const METHOD_NAMES = { "security-key": "a security key", "authenticator-app": "an authenticator app" } as const;

export default async function HomePage() {
  const ctx = await requireOrgContext();
  const { secondFactors } = await userMethods(ctx);
  const mfa = ctx.mfa;
  return (
    <>
      <PageHeader title={`Welcome, ${ctx.userName}`} description={`You're logged in to ${ctx.orgName}.`} />
      {mfa.graceDaysLeft !== null && (
        <div className="mb-6">
          <Alert tone="warning">
            {ctx.orgName} will require multi-factor authentication in {mfa.graceDaysLeft} day{mfa.graceDaysLeft === 1 ? "" : "s"}. Register a security key or
            connect an authenticator app in Advanced User Details before then.
          </Alert>
        </div>
      )}
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Your verification methods" description="How you prove it's you when you log in.">
          <p className="text-sm text-slate-600">
            {secondFactors.length === 0
              ? "Your password is your only verification method. Add a security key or an authenticator app in Advanced User Details."
              : `You verify with ${secondFactors.map((m) => METHOD_NAMES[m]).join(" and ")} after your password.`}
          </p>
          <div className="mt-4">
            <ButtonLink href="/settings/advanced" variant="secondary">
              Open Advanced User Details
            </ButtonLink>
          </div>
        </Card>
        {ctx.role === "ADMIN" && (
          <Card title="Setup" description={`Administer ${ctx.orgName}.`}>
            <p className="text-sm text-slate-600">Add users and see who has access to your org.</p>
            <div className="mt-4">
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
