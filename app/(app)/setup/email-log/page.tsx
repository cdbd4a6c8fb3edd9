import type { Metadata } from "next";
import Link from "next/link";
import { emailTemplateLabel } from "@/emails";
import { requireAdminContext } from "@/lib/auth/page";
import type { EmailState } from "@/lib/db/generated/client";
import { listEmailLog } from "@/lib/email/queries";
import { EMAIL_STATES, emailLogQuerySchema } from "@/lib/validation/email";
import { Badge, PageHeader, Pagination, formatDateTime } from "../../../_components/ui";
import { TruncatedText } from "../history-filter";

export const metadata: Metadata = { title: "Email Log" };

const STATE_BADGES: Record<EmailState, { label: string; tone: "slate" | "green" | "blue" | "amber" | "red" }> = {
  QUEUED: { label: "Queued", tone: "slate" },
  SENDING: { label: "Sending", tone: "blue" },
  RETRYING: { label: "Retrying", tone: "amber" },
  SENT: { label: "Sent", tone: "green" },
  FAILED: { label: "Failed", tone: "red" },
  // Past the hourly alert cap for the address: listed in a digest instead.
  FOLDED: { label: "In a digest", tone: "slate" },
};

export default async function EmailLogPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await requireAdminContext();
  const parsed = emailLogQuerySchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : { page: 1, state: undefined };
  const { messages, page, pageCount } = await listEmailLog(ctx, query);
  const href = (next: { page?: number; state?: EmailState }) =>
    `/setup/email-log?${new URLSearchParams({ ...(next.state ? { state: next.state } : {}), ...(next.page && next.page > 1 ? { page: String(next.page) } : {}) })}`;

  return (
    <>
      <PageHeader title="Email Log" description={`Notifications ${ctx.orgName} sent to its users, and whether they were delivered.`} />
      <nav aria-label="Filter by state" className="mb-4 flex flex-wrap gap-2 text-sm">
        {[undefined, ...EMAIL_STATES].map((state) => {
          const active = query.state === state;
          return (
            <Link
              key={state ?? "all"}
              href={href({ state })}
              aria-current={active ? "page" : undefined}
              className={`rounded-full border px-3 py-1 transition ${
                active ? "border-brand-600 bg-brand-50 font-medium text-brand-700" : "border-slate-300 bg-white text-slate-600 hover:bg-slate-50"
              }`}
            >
              {state ? STATE_BADGES[state].label : "All"}
            </Link>
          );
        })}
      </nav>
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-3">Queued</th>
              <th className="px-4 py-3">Recipient</th>
              <th className="px-4 py-3">Template</th>
              <th className="px-4 py-3">State</th>
              <th className="px-4 py-3 text-right">Attempts</th>
              <th className="px-4 py-3">Sent / next attempt</th>
              <th className="px-4 py-3">Last error</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {messages.map((message) => (
              <tr key={message.id} className="align-top hover:bg-slate-50">
                <td className="whitespace-nowrap px-4 py-3 text-slate-500">{formatDateTime(message.createdAt)}</td>
                <td className="break-words px-4 py-3 font-medium text-slate-800">{message.to}</td>
                <td className="px-4 py-3 text-slate-600">{emailTemplateLabel(message.template)}</td>
                <td className="px-4 py-3">
                  <Badge tone={STATE_BADGES[message.state].tone}>{STATE_BADGES[message.state].label}</Badge>
                </td>
                <td className="px-4 py-3 text-right tabular-nums text-slate-600">{message.attempts}</td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-500">
                  {message.sentAt
                    ? formatDateTime(message.sentAt)
                    : message.state === "RETRYING" || message.state === "QUEUED"
                      ? `next ${formatDateTime(message.nextAttemptAt)}`
                      : "—"}
                </td>
                <td className="px-4 py-3 font-mono text-xs text-slate-500">
                  <TruncatedText text={message.lastError} max={32} />
                </td>
              </tr>
            ))}
            {messages.length === 0 && (
              <tr>
                <td colSpan={7} className="px-4 py-10 text-center text-slate-500">
                  {query.state ? `No ${STATE_BADGES[query.state].label.toLowerCase()} messages.` : "No notifications have been sent yet."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <Pagination page={page} pageCount={pageCount} hrefFor={(p) => href({ state: query.state, page: p })} />
    </>
  );
}
