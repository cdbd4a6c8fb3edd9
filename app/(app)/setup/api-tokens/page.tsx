import type { Metadata } from "next";
import Link from "next/link";
import { listApiTokens, type ApiTokenStatus } from "@/lib/api-tokens/queries";
import { API_TOKEN_EXPIRY_CHOICES } from "@/lib/api-tokens/schema";
import { requireAdminContext } from "@/lib/auth/page";
import { DEFAULT_TOKEN_PERMISSIONS, PERMISSIONS, TOKEN_GRANTABLE_PERMISSIONS } from "@/lib/auth/permissions";
import { formatIp } from "@/lib/format";
import { ActionButton } from "../../../_components/action-button";
import { Badge, Card, PageHeader, formatDateTime } from "../../../_components/ui";
import { HistoryTable } from "../history-filter";
import { revokeApiTokenAction } from "./actions";
import { NewApiTokenForm } from "./new-api-token-form";

export const metadata: Metadata = { title: "API Tokens" };
// Who may see which tokens, and whether each still works, is decided per request.
export const dynamic = "force-dynamic";

const STATUS: Record<ApiTokenStatus, { label: string; tone: "green" | "slate" | "amber" | "red" }> = {
  active: { label: "Active", tone: "green" },
  expired: { label: "Expired", tone: "slate" },
  revoked: { label: "Revoked", tone: "red" },
  "creator-inactive": { label: "Creator no longer an active admin", tone: "amber" },
};

export default async function ApiTokensPage() {
  const ctx = await requireAdminContext();
  const tokens = await listApiTokens(ctx);
  // The scopes an admin may give: each one they hold and a token may carry. Granting Admin and issuing codes are never preselected.
  const scopes = TOKEN_GRANTABLE_PERMISSIONS.filter((p) => ctx.permissions.has(p)).map((permission) => ({
    permission,
    description: PERMISSIONS[permission],
    preselected: DEFAULT_TOKEN_PERMISSIONS.includes(permission),
  }));

  return (
    <>
      <PageHeader
        title="API Tokens"
        description={
          <>
            Tokens let scripts and the <code>gatehouse</code> command line use the Admin API for {ctx.orgName}. A token does only what its scopes allow and what
            its creator can still do: it stops working when it expires, is revoked, or its creator is deactivated or is no longer an admin.{" "}
            <Link href="/setup/audit-trail" className="font-medium text-brand-600 hover:text-brand-700">
              View Setup Audit Trail
            </Link>
          </>
        }
      />
      <div className="space-y-6">
        <Card title="New token" description="You'll be asked to verify it's you. The token is shown once, when it is created.">
          <NewApiTokenForm scopes={scopes} expiryChoices={[...API_TOKEN_EXPIRY_CHOICES]} />
        </Card>
        <section aria-labelledby="api-tokens-heading">
          <h2 id="api-tokens-heading" className="mb-3 text-base font-semibold text-slate-900">
            Tokens
          </h2>
          <HistoryTable
            columns={["Name", "Scopes", "Created by", "Created", "Expires", "Last used", "Status", "Actions"]}
            isEmpty={tokens.length === 0}
            empty="No API tokens yet."
          >
            {tokens.map((token) => (
              <tr key={token.id} className="hover:bg-slate-50">
                <td className="px-4 py-3">
                  <p className="font-medium text-slate-900">{token.name}</p>
                  <p className="font-mono text-xs text-slate-500">{token.displayPrefix}…</p>
                </td>
                <td className="px-4 py-3">
                  <ul className="flex max-w-xs flex-wrap gap-1">
                    {token.scopes.map((scope) => (
                      <li key={scope}>
                        <Badge>{scope}</Badge>
                      </li>
                    ))}
                  </ul>
                </td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-700">{token.createdByName}</td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(token.createdAt)}</td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(token.expiresAt)}</td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-500">
                  {token.lastUsedAt ? (
                    <>
                      {formatDateTime(token.lastUsedAt)}
                      <span className="block text-xs">from {formatIp(token.lastUsedIp)}</span>
                    </>
                  ) : (
                    "Never"
                  )}
                </td>
                <td className="px-4 py-3">
                  <Badge tone={STATUS[token.status].tone}>{STATUS[token.status].label}</Badge>
                  {token.revokedAt && (
                    <span className="mt-1 block text-xs text-slate-500">
                      {formatDateTime(token.revokedAt)}
                      {token.revokedByName ? ` by ${token.revokedByName}` : ""}
                    </span>
                  )}
                </td>
                <td className="px-4 py-3 text-right">
                  {!token.revokedAt && (
                    <ActionButton
                      action={revokeApiTokenAction}
                      input={{ tokenId: token.id }}
                      label={`Revoke ${token.name}`}
                      confirm={`Revoke the token “${token.name}”? Anything using it stops working at once. This can't be undone.`}
                      variant="danger"
                    >
                      Revoke
                    </ActionButton>
                  )}
                </td>
              </tr>
            ))}
          </HistoryTable>
        </section>
      </div>
    </>
  );
}
