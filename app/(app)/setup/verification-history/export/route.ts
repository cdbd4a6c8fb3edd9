import { adminContextForRoute } from "@/lib/auth/current";
import { NO_STORE, csvDownload, todayStamp } from "@/lib/http/csv";
import { VERIFICATION_CSV_HEADER, verificationCsvLine } from "@/lib/verification/csv";
import { verificationEventsForExport } from "@/lib/verification/queries";
import { verificationHistoryQuerySchema } from "@/lib/validation/history";

export const dynamic = "force-dynamic";

/** Identity Verification History as CSV, for the signed-in admin's org only, with the page's filters. */
export async function GET(request: Request): Promise<Response> {
  const ctx = await adminContextForRoute("verification history");
  if (ctx instanceof Response) return ctx;

  const query = verificationHistoryQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return new Response(`${query.error.issues[0]?.message ?? "Check the filters."}\n`, { status: 400, headers: NO_STORE });

  return csvDownload({
    filename: `verification-history-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: VERIFICATION_CSV_HEADER,
    chunks: verificationEventsForExport(ctx, query.data),
    line: verificationCsvLine,
  });
}
