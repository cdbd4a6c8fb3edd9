import { orgExport } from "@/lib/auth/route";
import { csvDownload, todayStamp } from "@/lib/http/csv";
import { VERIFICATION_CSV_HEADER, verificationCsvLine } from "@/lib/verification/csv";
import { verificationEventsForExport } from "@/lib/verification/queries";
import { verificationHistoryQuerySchema } from "@/lib/validation/history";

export const dynamic = "force-dynamic";

/** Identity Verification History as CSV, for the signed-in admin's org only, with the page's filters. */
export const GET = orgExport(verificationHistoryQuerySchema, (ctx, query) =>
  csvDownload({
    filename: `verification-history-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: VERIFICATION_CSV_HEADER,
    chunks: verificationEventsForExport(ctx, query),
    line: verificationCsvLine,
  }),
);
