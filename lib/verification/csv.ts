import "server-only";
import { csvLine } from "../http/csv";
import { describeBrowser } from "../http/request-info";
import type { VerificationRow } from "./queries";

export const VERIFICATION_CSV_HEADER = ["Date (UTC)", "User", "Username", "Method", "Activity", "Result", "Detail", "IP address", "Browser"];

export function verificationCsvLine(row: VerificationRow): string {
  return csvLine([
    row.createdAt.toISOString(),
    row.user?.name ?? "Deleted user",
    row.user?.username,
    row.method,
    row.activity,
    row.result,
    row.detail,
    row.ip,
    describeBrowser(row.userAgent),
  ]);
}
