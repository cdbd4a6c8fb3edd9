import Link from "next/link";
import { Badge, formatDateTime } from "../../_components/ui";
import type { ShownMessage } from "./selected-message";

/** One message, as its recipient would see it: the HTML part in a sandboxed frame of its own document (`htmlSrc`), or the plain-text part. */
export function MessageView({
  message,
  view,
  hrefFor,
  htmlSrc,
}: {
  message: ShownMessage;
  view: "html" | "text";
  hrefFor: (view: "html" | "text") => string;
  htmlSrc: string;
}) {
  return (
    <article className="flex h-full flex-col">
      <header className="border-b border-slate-200 px-6 py-4">
        <h2 className="text-lg font-semibold text-slate-900">{message.subject}</h2>
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">To</dt>
          <dd className="text-slate-800">{message.to}</dd>
          {message.createdAt && (
            <>
              <dt className="text-slate-500">Queued</dt>
              <dd className="text-slate-800">
                {formatDateTime(message.createdAt)} {message.state && <Badge>{message.state.charAt(0) + message.state.slice(1).toLowerCase()}</Badge>}
              </dd>
            </>
          )}
        </dl>
        <nav aria-label="Message part" className="mt-4 flex gap-1 text-sm">
          {(["html", "text"] as const).map((part) => (
            <Link
              key={part}
              href={hrefFor(part)}
              aria-current={view === part ? "page" : undefined}
              className={`rounded-md px-3 py-1.5 transition ${view === part ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {part === "html" ? "HTML" : "Text"}
            </Link>
          ))}
        </nav>
      </header>
      {view === "html" ? (
        // Its own document under its own policy (app/dev/mailbox/html, proxy.ts), so the email's styles apply.
        // No scripts, no same-origin access; a link the reader clicks opens in this tab.
        <iframe
          title={`HTML part of “${message.subject}”`}
          sandbox="allow-top-navigation-by-user-activation"
          src={htmlSrc}
          className="min-h-[640px] w-full flex-1 bg-slate-100"
        />
      ) : (
        <pre className="flex-1 overflow-auto whitespace-pre-wrap break-words px-6 py-5 font-mono text-sm text-slate-800">{linkify(message.text)}</pre>
      )}
    </article>
  );
}

/** Plain text with its URLs clickable, as a mail client would show them. */
function linkify(text: string) {
  return text.split(/(https?:\/\/[^\s<>"]+)/g).map((part, i) =>
    i % 2 === 1 ? (
      <a key={i} href={part} className="text-brand-600 underline hover:text-brand-700">
        {part}
      </a>
    ) : (
      part
    ),
  );
}
