import Link from "next/link";
import { mailboxEnabled } from "@/lib/email/transport";

/**
 * One quiet line on the pages that email a code or link, in the embedded
 * default only: where those emails arrive. The pages that show it render per
 * request, so a build made under other settings never bakes it in or out.
 */
export function DevMailboxNote({ enabled = mailboxEnabled() }: { enabled?: boolean }) {
  if (!enabled) return null;
  return (
    <p className="mt-4 text-center text-xs text-slate-500">
      Emails go to the dev mailbox at{" "}
      <Link href="/dev/mailbox" className="font-medium text-brand-600 hover:text-brand-700">
        /dev/mailbox
      </Link>{" "}
      while SMTP_URL is unset.
    </p>
  );
}
