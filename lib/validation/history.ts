import "server-only";
import { z } from "zod";
import { LOGIN_RESULTS } from "../auth/login/login";
import { VERIFICATION_ACTIVITIES, VERIFICATION_RESULTS } from "../verification/history";
import { DAY_ORDER_ISSUE, dayRangeFields, inDayOrder, pageField } from "./dates";

/** A select's value: "" or missing means any; anything not on the list is refused, never passed to a query. */
function optionalChoice<const T extends string>(choices: readonly T[], message: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx): T | null => {
      if (!text) return null;
      if ((choices as readonly string[]).includes(text)) return text as T;
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    });
}

/** Identity Verification History filters from the URL. */
export const verificationHistoryQuerySchema = z
  .object({
    ...dayRangeFields,
    activity: optionalChoice(VERIFICATION_ACTIVITIES, "Choose an activity from the list."),
    result: optionalChoice(VERIFICATION_RESULTS, "Choose a result from the list."),
    user: z
      .string()
      .trim()
      .max(100, "Search for at most 100 characters of a username.")
      .optional()
      .transform((text) => text || null),
    page: pageField,
  })
  .refine(inDayOrder, DAY_ORDER_ISSUE);

export type VerificationHistoryQuery = z.infer<typeof verificationHistoryQuerySchema>;

/** Login History filters from the URL. */
export const loginHistoryQuerySchema = z
  .object({ ...dayRangeFields, result: optionalChoice(LOGIN_RESULTS, "Choose a result from the list."), page: pageField })
  .refine(inDayOrder, DAY_ORDER_ISSUE);

export type LoginHistoryQuery = z.infer<typeof loginHistoryQuerySchema>;
