import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EMAIL_TEMPLATES } from "@/emails";
import { listMailbox } from "@/lib/email/queries";
import { mailboxEnabled } from "@/lib/email/transport";
import { Alert, Logo, formatDateTime } from "../../_components/ui";
import { MessageView } from "./message-view";
import { messageQuery, selectedMessage, type MailboxParams } from "./selected-message";

export const metadata: Metadata = { title: "Dev mailbox", robots: { index: false } };
// Whether this page exists depends on the runtime configuration (mailboxEnabled()),
// so it is rendered per request, never prerendered by a build made under other settings.
export const dynamic = "force-dynamic";

/**
 * The embedded default's inbox: with no SMTP_URL, outside production, mail is
 * kept in the outbox and read here. Anywhere else this page does not exist.
 */
export default async function MailboxPage({ searchParams }: { searchParams: Promise<MailboxParams> }) {
  if (!mailboxEnabled()) notFound();
  const params = await searchParams;
  const [messages, message] = await Promise.all([listMailbox(), selectedMessage(params)]);
  const view = params.view === "text" ? "text" : "html";
  const current = messageQuery(params);
  const hrefFor = (part: "html" | "text") => `/dev/mailbox?${new URLSearchParams({ ...current, ...(part === "text" ? { view: "text" } : {}) })}`;

  return (
    <div className="min-h-screen">
      <header className="bg-slate-900 text-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-6">
          <Link href="/dev/mailbox" aria-label="Dev mailbox">
            <Logo />
          </Link>
          <span className="rounded-md bg-white/10 px-2 py-0.5 text-sm text-slate-200">Dev mailbox</span>
          <Link href="/login" className="ml-auto text-sm text-slate-300 hover:text-white">
            Log in
          </Link>
        </div>
      </header>
      <main className="mx-auto max-w-7xl space-y-4 px-6 py-6">
        <Alert tone="warning">
          SMTP_URL is not set, so Gatehouse keeps its email here instead of sending it. Anyone who can open this page can read every message, including
          set-password links: set SMTP_URL before you let others reach this installation.
        </Alert>
        <div className="grid min-h-[640px] overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm md:grid-cols-[320px_1fr]">
          <aside className="border-b border-slate-200 md:border-r md:border-b-0">
            <h1 className="border-b border-slate-100 px-4 py-3 text-sm font-semibold text-slate-900">Inbox · {messages.length}</h1>
            <ul aria-label="Messages" className="max-h-[560px] divide-y divide-slate-100 overflow-y-auto">
              {messages.map((m) => (
                <li key={m.id}>
                  <Link
                    href={`/dev/mailbox?id=${m.id}`}
                    aria-current={params.id === m.id ? "page" : undefined}
                    className={`block px-4 py-3 text-sm transition ${params.id === m.id ? "bg-brand-50" : "hover:bg-slate-50"}`}
                  >
                    <span className="block truncate font-medium text-slate-900">{m.subject}</span>
                    <span className="block truncate text-slate-600">{m.to}</span>
                    <span className="block text-xs text-slate-500">{formatDateTime(m.createdAt)}</span>
                  </Link>
                </li>
              ))}
              {messages.length === 0 && <li className="px-4 py-8 text-center text-sm text-slate-500">No mail yet.</li>}
            </ul>
            <div className="border-t border-slate-100 px-4 py-3">
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Template previews</p>
              <ul className="mt-2 space-y-1 text-sm">
                {Object.values(EMAIL_TEMPLATES).map((t) => (
                  <li key={t.name}>
                    <Link href={`/dev/mailbox?preview=${t.name}`} className="text-brand-600 hover:text-brand-700">
                      {t.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          </aside>
          <section className="min-w-0">
            {message ? (
              <MessageView message={message} view={view} hrefFor={hrefFor} htmlSrc={`/dev/mailbox/html?${new URLSearchParams(current)}`} />
            ) : (
              <p className="px-6 py-24 text-center text-sm text-slate-500">Select a message to read it.</p>
            )}
          </section>
        </div>
      </main>
    </div>
  );
}
