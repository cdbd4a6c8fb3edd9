import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { listUsers, methodAdoption } from "@/lib/users/queries";
import { userListQuerySchema } from "@/lib/validation/account";
import { claimedKeysSentence } from "../../../_components/key-model";
import { Badge, ButtonLink, PageHeader, Pagination, formatDateTime } from "../../../_components/ui";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireAdminContext();
  const parsed = userListQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : { q: "", page: 1, method: undefined };
  // The unfiltered list's total is the org's user count, which methodAdoption's one statement already has.
  const adoptionCounts = methodAdoption(ctx);
  const [{ users, total, page, pageCount }, adoption] = await Promise.all([
    listUsers(
      ctx,
      query,
      // Unused with a search or a filter: its failure is reported once, through adoptionCounts below.
      adoptionCounts.then((counts) => counts.totalUsers).catch(() => 0),
    ),
    adoptionCounts,
  ]);
  const claimed = claimedKeysSentence(adoption);
  const pageHref = (p: number) =>
    `/setup/users?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.method ? { method: query.method } : {}), page: String(p) })}`;

  return (
    <>
      <PageHeader
        title="Users"
        description={
          <>
            {`${adoption.withSecurityKey} of ${adoption.activeUsers} active user${adoption.activeUsers === 1 ? "" : "s"} ${adoption.activeUsers === 1 ? "has" : "have"} a security key · ${total} shown`}
            {claimed && <span className="mt-1 block">{claimed}</span>}
          </>
        }
        actions={<ButtonLink href="/setup/users/new">New user</ButtonLink>}
      />
      <form className="mb-4 flex flex-wrap gap-2" role="search">
        <input
          type="search"
          name="q"
          defaultValue={query.q}
          placeholder="Search by name, username or email"
          aria-label="Search users"
          className="w-full rounded-lg border sm:w-auto sm:min-w-64 sm:max-w-sm sm:flex-1 border-slate-300 px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-500 focus:ring-2 focus:ring-brand-100"
        />
        <select
          name="method"
          defaultValue={query.method ?? ""}
          aria-label="Verification method"
          className="rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
        >
          <option value="">All users</option>
          <option value="none">No verification method</option>
          <option value="security-key">Has a security key</option>
          <option value="authenticator-app">Has an authenticator app</option>
          <option value="recovery-codes">Has recovery codes</option>
          <option value="role-requirement">Doesn&apos;t meet their role&apos;s requirement</option>
        </select>
        <button className="rounded-lg border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50">
          Search
        </button>
      </form>
      {/* On a phone the username moves under the name and the date goes, so the methods stay in view. */}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-3">Name</th>
              <th className="hidden px-4 py-3 sm:table-cell">Username</th>
              <th className="px-4 py-3">Methods</th>
              <th className="px-4 py-3">Role</th>
              <th className="px-4 py-3">Status</th>
              <th className="hidden px-4 py-3 md:table-cell">Created</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((user) => (
              <tr key={user.id} className="hover:bg-slate-50">
                <td className="px-4 py-3 font-medium">
                  <Link href={`/setup/users/${user.id}`} className="text-brand-600 hover:text-brand-700">
                    {user.name}
                  </Link>
                  <span className="mt-0.5 block font-normal text-slate-600 sm:hidden">{user.username}</span>
                </td>
                <td className="hidden px-4 py-3 text-slate-600 sm:table-cell">{user.username}</td>
                <td className="px-4 py-3">
                  <span className="flex flex-wrap gap-1">
                    {user._count.securityKeys > 0 && (
                      <Badge tone="green">
                        {user._count.securityKeys} key{user._count.securityKeys === 1 ? "" : "s"}
                      </Badge>
                    )}
                    {user.securityKeys.length > 0 && (
                      <Badge tone="red">
                        {user.securityKeys.length} flagged key{user.securityKeys.length === 1 ? "" : "s"}
                      </Badge>
                    )}
                    {user.authenticatorApp?.confirmedAt && <Badge tone="green">Authenticator app</Badge>}
                    {user._count.recoveryCodes > 0 && <Badge tone="slate">Recovery codes</Badge>}
                    {user._count.securityKeys === 0 &&
                      user.securityKeys.length === 0 &&
                      !user.authenticatorApp?.confirmedAt &&
                      user._count.recoveryCodes === 0 && <span className="text-slate-500">None</span>}
                  </span>
                </td>
                <td className="px-4 py-3">
                  <Badge tone={user.role === "ADMIN" ? "blue" : "slate"}>{user.role === "ADMIN" ? "Admin" : "Standard"}</Badge>
                </td>
                <td className="px-4 py-3">{user.isActive ? <Badge tone="green">Active</Badge> : <Badge tone="red">Inactive</Badge>}</td>
                <td className="hidden px-4 py-3 text-slate-500 md:table-cell">{formatDateTime(user.createdAt)}</td>
              </tr>
            ))}
            {users.length === 0 && (
              <tr>
                <td colSpan={6} className="px-4 py-10 text-center text-slate-500">
                  No users match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pagination page={page} pageCount={pageCount} hrefFor={pageHref} />
    </>
  );
}
