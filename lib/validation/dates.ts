import { z } from "zod";

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A "YYYY-MM-DD" string as the UTC midnight it names, or null when it is not a real calendar day. */
export function parseDay(text: string): Date | null {
  const match = DAY_PATTERN.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches it.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  if (year < 2000 || year > 2999) return null;
  return date;
}

/** "2026-12-01" for a UTC day (what a date input shows). */
export function formatDay(day: Date): string {
  return day.toISOString().slice(0, 10);
}

/** A date input's value: "" means none; anything else must be a real YYYY-MM-DD day. */
export function optionalDaySchema(message = "Enter a date as YYYY-MM-DD.") {
  return z
    .string()
    .trim()
    .max(10, message)
    .transform((text, ctx) => {
      if (text === "") return null;
      const day = parseDay(text);
      if (!day) ctx.addIssue({ code: "custom", message });
      return day ?? z.NEVER;
    });
}

/** The From/To fields every history page's filter form shares: inclusive UTC days, either may be blank. */
export const dayRangeFields = {
  from: optionalDaySchema("Enter the From date as YYYY-MM-DD.")
    .optional()
    .transform((d) => d ?? null),
  to: optionalDaySchema("Enter the To date as YYYY-MM-DD.")
    .optional()
    .transform((d) => d ?? null),
};

/** Page number from the URL; bounded so a hand-edited URL cannot ask for an absurd offset. */
export const pageField = z.coerce.number().int().min(1).max(100_000).optional().default(1);

/** A range whose To day is before its From day is a mistake, not an empty result. */
export function inDayOrder(q: { from: Date | null; to: Date | null }): boolean {
  return !q.from || !q.to || q.from.getTime() <= q.to.getTime();
}

export const DAY_ORDER_ISSUE = { path: ["to"], message: "The To date is before the From date." };
