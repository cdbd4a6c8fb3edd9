import { adminContextForRoute } from "@/lib/auth/current";
import { LOGIN_CSV_HEADER, loginAttemptsForExport, loginCsvLine } from "@/lib/auth/login-history";
import { NO_STORE, csvDownload, todayStamp } from "@/lib/http/csv";
import { loginHistoryQuerySchema } from "@/lib/validation/history";

export const dynamic = "force-dynamic";

/** Login History as CSV, for the signed-in admin's org only, with the page's filters. */
export async function GET(request: Request): Promise<Response> {
  const ctx = await adminContextForRoute("login history");
  if (ctx instanceof Response) return ctx;

  const query = loginHistoryQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return new Response(`${query.error.issues[0]?.message ?? "Check the filters."}\n`, { status: 400, headers: NO_STORE });

  return csvDownload({
    filename: `login-history-${ctx.orgSlug}-${todayStamp()}.csv`,
    header: LOGIN_CSV_HEADER,
    chunks: loginAttemptsForExport(ctx, query.data),
    line: loginCsvLine,
  });
}
