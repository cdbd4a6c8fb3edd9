// One format for dates, times and addresses on every page, email and audit row.
// No "server-only": client components (the temporary-code panel) use it too.

// Intl.DateTimeFormat is costly to build and these run once per table cell: build each once.
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

/** "23 Nov 2026, 08:01 UTC": one format for pages and emails, always UTC so every viewer reads the same time. */
export function formatDateTime(date: Date | string): string {
  return `${dateTimeFormat.format(new Date(date))} UTC`;
}

/** "23 Nov 2026" (UTC), for a day such as the org's "MFA required from" date. */
export function formatDate(date: Date | string): string {
  return dateFormat.format(new Date(date));
}

/** Whole days from `now` until `date` (rounded up; 0 once it has passed). */
export function daysUntil(date: Date, now = new Date()): number {
  return Math.max(0, Math.ceil((date.getTime() - now.getTime()) / 86_400_000));
}

/** An address partly hidden, for telling a user where a code went: "a•••@acme.test". */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
}

const LOOPBACK = new Set(["::1", "127.0.0.1", "::ffff:127.0.0.1"]);

/** A client IP as people read it: loopback says so ("localhost (::1)"), an unknown one says "Unknown". */
export function formatIp(ip: string | null | undefined): string {
  if (!ip) return "Unknown";
  return LOOPBACK.has(ip) ? `localhost (${ip})` : ip;
}
