import "server-only";
import { z } from "zod";
import { DAY_ORDER_ISSUE, dayRangeFields, inDayOrder, pageField } from "./dates";

/** Setup Audit Trail filters from the URL: an inclusive UTC day range and a page. */
export const auditQuerySchema = z.object({ ...dayRangeFields, page: pageField }).refine(inDayOrder, DAY_ORDER_ISSUE);

export type AuditQuery = z.infer<typeof auditQuerySchema>;
