import type { Metadata } from "next";
import { requireOrgContext } from "@/lib/auth/current";
import { ButtonLink, Card, PageHeader } from "../../_components/ui";

export const metadata: Metadata = { title: "Home" };

export default async function HomePage() {
  const ctx = await requireOrgContext();
  return (
    <>
      <PageHeader title={`Welcome, ${ctx.userName}`} description={`You're signed in to ${ctx.orgName}.`} />
      <div className="grid gap-6 md:grid-cols-2">
        <Card title="Your verification methods" description="How you prove it's you when you log in.">
          <p className="text-sm text-slate-600">
            Your password is your only verification method for now. Review your account in Advanced User Details.
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
