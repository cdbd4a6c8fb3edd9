import type { Metadata } from "next";
import { requireAdminContext } from "@/lib/auth/page";
import { describeBrowser } from "@/lib/http/request-info";
import { VERIFICATION_ACTIVITIES, VERIFICATION_RESULTS } from "@/lib/verification/history";
import { listVerificationEvents } from "@/lib/verification/queries";
import { verificationHistoryQuerySchema, type VerificationHistoryQuery } from "@/lib/validation/history";
import { Alert, Badge, PageHeader, Pagination, buttonClass, formatDateTime } from "../../../_components/ui";
import { HistoryFilterForm, HistoryTable, SelectFilter, TruncatedText, dayParams, filterInputClass, queryString } from "../history-filter";
import { formatIp } from "@/lib/format";

export const metadata: Metadata = { title: "Identity Verification History" };

const noFilter: VerificationHistoryQuery = { from: null, to: null, activity: null, result: null, user: null, page: 1 };

export default async function VerificationHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireAdminContext();
  const parsed = verificationHistoryQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : noFilter;
  const { rows, total, page, pageCount } = await listVerificationEvents(ctx, query);

  const filter = { ...dayParams(query), activity: query.activity, result: query.result, user: query.user };
  const filtered = Object.values(filter).some(Boolean);
  const pageHref = (p: number) => `/setup/verification-history?${queryString({ ...filter, page: String(p) })}`;
  const exportHref = `/setup/verification-history/export?${queryString(filter)}`;
  const filterError = parsed.success ? null : (parsed.error.issues[0]?.message ?? "Check the filters.");

  return (
    <>
      <PageHeader
        title="Identity Verification History"
        description={`Identity verifications in ${ctx.orgName}, newest first. ${total} entr${total === 1 ? "y" : "ies"}${filtered ? " match the filters" : ""}.`}
        actions={
          <a href={exportHref} className={buttonClass("secondary")} download>
            Export CSV
          </a>
        }
      />
      <HistoryFilterForm idPrefix="verification" label="Filter verifications" range={query} filtered={filtered} clearHref="/setup/verification-history">
        <SelectFilter id="verification-activity" name="activity" label="Activity" value={query.activity} choices={VERIFICATION_ACTIVITIES} />
        <SelectFilter id="verification-result" name="result" label="Result" value={query.result} choices={VERIFICATION_RESULTS} />
        <div>
          <label htmlFor="verification-user" className="block text-sm font-medium text-slate-700">
            Username contains
          </label>
          <input id="verification-user" type="search" name="user" maxLength={100} defaultValue={query.user ?? ""} className={filterInputClass} />
        </div>
      </HistoryFilterForm>
      {filterError && (
        <div className="mb-4">
          <Alert>{filterError} Showing all entries.</Alert>
        </div>
      )}
      <HistoryTable
        columns={["Time", "User", "Method", "Activity", "Result", "Detail", "IP address", "Browser"]}
        isEmpty={rows.length === 0}
        empty={filtered ? "No verifications match these filters." : "No verifications recorded yet."}
      >
        {rows.map((row) => (
          <tr key={row.id} className="hover:bg-slate-50">
            <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(row.createdAt)}</td>
            <td className="px-4 py-3">
              <div className="font-medium text-slate-800">{row.user?.name ?? "Deleted user"}</div>
              {row.user && <div className="text-xs text-slate-500">{row.user.username}</div>}
            </td>
            <td className="px-4 py-3 text-slate-700">{row.method}</td>
            <td className="px-4 py-3 text-slate-700">{row.activity}</td>
            <td className="whitespace-nowrap px-4 py-3">
              <Badge tone={row.result === "Succeeded" ? "green" : "red"}>{row.result}</Badge>
            </td>
            <td className="px-4 py-3 text-slate-700">
              <TruncatedText text={row.detail} />
            </td>
            <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatIp(row.ip)}</td>
            <td className="px-4 py-3 text-slate-600">{describeBrowser(row.userAgent)}</td>
          </tr>
        ))}
      </HistoryTable>
      <Pagination page={page} pageCount={pageCount} hrefFor={pageHref} />
    </>
  );
}
