import type { Metadata } from "next";
import { requireAdminContext } from "@/lib/auth/page";
import { describeAuditRow, listAuditEvents } from "@/lib/audit/queries";
import { auditQuerySchema } from "@/lib/validation/audit";
import { Alert, PageHeader, Pagination, buttonClass, formatDateTime } from "../../../_components/ui";
import { HistoryFilterForm, HistoryTable, dayParams, queryString } from "../history-filter";

export const metadata: Metadata = { title: "Setup Audit Trail" };

export default async function AuditTrailPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireAdminContext();
  const parsed = auditQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : { from: null, to: null, page: 1 };
  const { rows, total, page, pageCount } = await listAuditEvents(ctx, query);

  const filter = dayParams(query);
  const filtered = Boolean(filter.from || filter.to);
  const pageHref = (p: number) => `/setup/audit-trail?${queryString({ ...filter, page: String(p) })}`;
  const exportHref = `/setup/audit-trail/export?${queryString(filter)}`;
  const filterError = parsed.success ? null : (parsed.error.issues[0]?.message ?? "Check the dates.");

  return (
    <>
      <PageHeader
        title="Setup Audit Trail"
        description={`Changes made in Setup for ${ctx.orgName}, newest first. ${total} entr${total === 1 ? "y" : "ies"}${filtered ? " in these dates" : ""}.`}
        actions={
          <a href={exportHref} className={buttonClass("secondary")} download>
            Export CSV
          </a>
        }
      />
      <HistoryFilterForm idPrefix="audit" label="Filter by date" range={query} filtered={filtered} clearHref="/setup/audit-trail" />
      {filterError && (
        <div className="mb-4">
          <Alert>{filterError} Showing all entries.</Alert>
        </div>
      )}
      <HistoryTable
        columns={["Date", "User", "Section", "Action", "Target user", "Details"]}
        isEmpty={rows.length === 0}
        empty={`No changes recorded${filtered ? " in these dates" : " yet"}.`}
      >
        {rows.map((row) => (
          <tr key={row.id} className="hover:bg-slate-50">
            <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(row.createdAt)}</td>
            <td className="whitespace-nowrap px-4 py-3 text-slate-800">{row.actorName ?? "System"}</td>
            <td className="whitespace-nowrap px-4 py-3 text-slate-600">{row.section}</td>
            <td className="px-4 py-3 text-slate-800">{row.action}</td>
            <td className="px-4 py-3 text-slate-700">{row.target ?? "—"}</td>
            <td className="break-words px-4 py-3 text-slate-700">{describeAuditRow(row)}</td>
          </tr>
        ))}
      </HistoryTable>
      <Pagination page={page} pageCount={pageCount} hrefFor={pageHref} />
    </>
  );
}
