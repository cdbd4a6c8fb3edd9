/** "23 Nov 2026, 08:01 UTC": one format for pages and emails, always UTC so every viewer reads the same time. */
export function formatDateTime(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date) + " UTC";
}

/** An address partly hidden, for telling a user where a code went: "a•••@acme.test". */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}•••@${domain}`;
}
