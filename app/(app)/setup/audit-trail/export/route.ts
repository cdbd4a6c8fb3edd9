import { adminContextForRoute } from "@/lib/auth/current";
import { AUDIT_CSV_HEADER, auditCsvLine } from "@/lib/audit/csv";
import { auditEventsForExport } from "@/lib/audit/queries";
import { NO_STORE, csvDownload, todayStamp } from "@/lib/http/csv";
import { auditQuerySchema } from "@/lib/validation/audit";

export const dynamic = "force-dynamic";

/** Setup Audit Trail as CSV, for the signed-in admin's org only. */
export async function GET(request: Request): Promise<Response> {
  const ctx = await adminContextForRoute("the audit trail");
  if (ctx instanceof Response) return ctx;

  const query = auditQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return new Response("Enter the dates as YYYY-MM-DD, From before To.\n", { status: 400, headers: NO_STORE });

  return csvDownload({
    filename: `setup-audit-trail-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: AUDIT_CSV_HEADER,
    chunks: auditEventsForExport(ctx, query.data),
    line: auditCsvLine,
  });
}
