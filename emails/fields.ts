import { z } from "zod";
import { formatDateTime, formatIp } from "../lib/format";

// Bounded building blocks for template data: every value a template shows has
// a maximum length, so no caller can queue an unbounded message.

export const nameField = z.string().trim().min(1).max(100);
export const shortField = z.string().trim().min(1).max(200);
export const addressField = z.string().trim().max(254).pipe(z.email());
export const linkField = z
  .string()
  .max(2048)
  .pipe(z.url({ protocol: /^https?$/ }));
export const timeField = z.date();

/** The data of a change made from a browser (shown by madeFromRows): when, from which IP address, in which browser. */
export const madeFromFields = {
  at: timeField,
  ip: z.string().max(64).nullable(),
  browser: shortField,
};

/** Facts rows for a change made from a browser: when, from which IP address, in which browser. */
export function madeFromRows(d: { at: Date; ip: string | null; browser: string }): { label: string; value: string }[] {
  return [
    { label: "Time", value: formatDateTime(d.at) },
    { label: "IP address", value: formatIp(d.ip) },
    { label: "Browser", value: d.browser },
  ];
}

/** Facts rows for an emailed link to choose a password: whose account, and until when the link works. */
export function passwordLinkRows(d: { username: string; orgName: string; expiresAt: Date }): { label: string; value: string }[] {
  return [
    { label: "Username", value: d.username },
    { label: "Org", value: d.orgName },
    { label: "Link expires", value: formatDateTime(d.expiresAt) },
  ];
}
