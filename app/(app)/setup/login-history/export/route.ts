import { orgExport } from "@/lib/auth/route";
import { csvDownload, todayStamp } from "@/lib/http/csv";
import { LOGIN_CSV_HEADER, loginAttemptsForExport, loginCsvLine } from "@/lib/auth/login/login-history";
import { loginHistoryQuerySchema } from "@/lib/validation/history";

export const dynamic = "force-dynamic";

/** Login History as CSV, for the signed-in admin's org only, with the page's filters. */
export const GET = orgExport(loginHistoryQuerySchema, (ctx, query) =>
  csvDownload({
    filename: `login-history-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: LOGIN_CSV_HEADER,
    chunks: loginAttemptsForExport(ctx, query),
    line: loginCsvLine,
  }),
);
