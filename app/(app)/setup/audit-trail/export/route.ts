import { orgExport } from "@/lib/auth/route";
import { csvDownload, todayStamp } from "@/lib/http/csv";
import { AUDIT_CSV_HEADER, auditCsvLine } from "@/lib/audit/csv";
import { auditEventsForExport } from "@/lib/audit/queries";
import { auditQuerySchema } from "@/lib/validation/audit";

export const dynamic = "force-dynamic";

/** Setup Audit Trail as CSV, for the signed-in admin's org only. */
export const GET = orgExport(auditQuerySchema, (ctx, query) =>
  csvDownload({
    filename: `setup-audit-trail-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: AUDIT_CSV_HEADER,
    chunks: auditEventsForExport(ctx, query),
    line: auditCsvLine,
  }),
);
