/** "23 Nov 2026, 08:01 UTC": one format for pages and emails, always UTC so every viewer reads the same time. */
export function formatDateTime(date: Date): string {
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(date) + " UTC";
}
