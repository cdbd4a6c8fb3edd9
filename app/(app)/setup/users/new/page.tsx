import type { Metadata } from "next";
import { requireAdminContext } from "@/lib/auth/page";
import { Card, PageHeader } from "../../../../_components/ui";
import { AddUserForm } from "./add-user-form";

export const metadata: Metadata = { title: "New user" };

export default async function NewUserPage() {
  const ctx = await requireAdminContext();
  return (
    <>
      <PageHeader title="New user" description={`Add someone to ${ctx.orgName}.`} />
      <div className="max-w-xl">
        <Card>
          <AddUserForm />
        </Card>
      </div>
    </>
  );
}
