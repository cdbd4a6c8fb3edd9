import "server-only";
import { z } from "zod";
import type { EmailState } from "../db/generated/client";

export const EMAIL_STATES = ["QUEUED", "SENDING", "RETRYING", "SENT", "FAILED", "FOLDED"] as const satisfies readonly EmailState[];

/** The Email Log's URL: an optional state filter and a page. */
export const emailLogQuerySchema = z.object({
  state: z.enum(EMAIL_STATES).optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
