import type { NextRequest } from "next/server";
import { mailboxEnabled } from "@/lib/email/transport";
import { selectedMessage, type MailboxParams } from "../selected-message";

// A message's HTML part as a document of its own, which /dev/mailbox shows in a
// sandboxed frame, so the email looks as a mail client shows it: under the
// pages' policy its inline styles would be refused. Its Content-Security-Policy
// (no script, inline styles, nothing loaded, framed by our own pages only) is
// set by proxy.ts for this path: the proxy's headers win over a route's.
// Same availability as the mailbox page: it does not exist outside the embedded default.
export const dynamic = "force-dynamic";

const NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });

export async function GET(request: NextRequest): Promise<Response> {
  if (!mailboxEnabled()) return NOT_FOUND();
  const params: MailboxParams = {};
  for (const name of new Set(request.nextUrl.searchParams.keys())) {
    const values = request.nextUrl.searchParams.getAll(name);
    params[name] = values.length === 1 ? values[0] : values;
  }
  const message = await selectedMessage(params);
  if (!message) return NOT_FOUND();
  return new Response(withTopTarget(message.html), {
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Set-password links and codes: never kept by a cache.
      "cache-control": "no-store",
      "x-robots-tag": "noindex",
    },
  });
}

/** A link the reader clicks leaves the frame and opens in the mailbox's tab, as in a mail client. */
function withTopTarget(html: string): string {
  const base = '<base target="_top">';
  return html.includes("<head>") ? html.replace("<head>", `<head>${base}`) : base + html;
}
