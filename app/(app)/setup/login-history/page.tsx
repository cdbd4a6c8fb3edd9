import type { Metadata } from "next";
import { requireAdminContext } from "@/lib/auth/page";
import { LOGIN_RESULTS, type LoginResult } from "@/lib/auth/login/login";
import { listLoginAttempts } from "@/lib/auth/login/login-history";
import { describeBrowser } from "@/lib/http/request-info";
import { loginHistoryQuerySchema, type LoginHistoryQuery } from "@/lib/validation/history";
import { Alert, Badge, PageHeader, Pagination, buttonClass, formatDateTime } from "../../../_components/ui";
import { HistoryFilterForm, HistoryTable, SelectFilter, dayParams, queryString } from "../history-filter";
import { formatIp } from "@/lib/format";

// "Verification required" is the ordinary middle of a login with a second step: neutral, not an alarm.
const RESULT_TONES: Record<LoginResult, "green" | "slate" | "amber" | "red"> = {
  Success: "green",
  "Verification required": "slate",
  "Locked out": "amber",
  "Invalid password": "red",
  "Inactive user": "red",
  "Verification failed": "red",
};

export const metadata: Metadata = { title: "Login History" };

const noFilter: LoginHistoryQuery = { from: null, to: null, result: null, page: 1 };

export default async function LoginHistoryPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireAdminContext();
  const parsed = loginHistoryQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : noFilter;
  const { rows, total, totalIsCapped, page, pageCount } = await listLoginAttempts(ctx, query);

  const filter = { ...dayParams(query), result: query.result };
  const filtered = Object.values(filter).some(Boolean);
  const pageHref = (p: number) => `/setup/login-history?${queryString({ ...filter, page: String(p) })}`;
  const exportHref = `/setup/login-history/export?${queryString(filter)}`;
  const filterError = parsed.success ? null : (parsed.error.issues[0]?.message ?? "Check the filters.");

  return (
    <>
      <PageHeader
        title="Login History"
        description={`Logins to ${ctx.orgName}, newest first. ${totalIsCapped ? `More than ${total.toLocaleString("en-US")}` : total} entr${total === 1 ? "y" : "ies"}${filtered ? " match the filters" : ""}.`}
        actions={
          <a href={exportHref} className={buttonClass("secondary")} download>
            Export CSV
          </a>
        }
      />
      <HistoryFilterForm idPrefix="login" label="Filter logins" range={query} filtered={filtered} clearHref="/setup/login-history">
        <SelectFilter id="login-result" name="result" label="Result" value={query.result} choices={LOGIN_RESULTS} />
      </HistoryFilterForm>
      {filterError && (
        <div className="mb-4">
          <Alert>{filterError} Showing all entries.</Alert>
        </div>
      )}
      <HistoryTable
        columns={["Time", "Username", "Result", "IP address", "Browser"]}
        isEmpty={rows.length === 0}
        empty={filtered ? "No logins match these filters." : "No logins recorded yet."}
      >
        {rows.map((row) => (
          <tr key={row.id} className="hover:bg-slate-50">
            <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(row.createdAt)}</td>
            <td className="break-words px-4 py-3 text-slate-800">{row.username}</td>
            <td className="whitespace-nowrap px-4 py-3">
              <Badge tone={RESULT_TONES[row.result as LoginResult] ?? "red"}>{row.result}</Badge>
            </td>
            <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatIp(row.ip)}</td>
            <td className="whitespace-nowrap px-4 py-3 text-slate-600">{describeBrowser(row.userAgent)}</td>
          </tr>
        ))}
      </HistoryTable>
      <Pagination page={page} pageCount={pageCount} hrefFor={pageHref} />
    </>
  );
}
