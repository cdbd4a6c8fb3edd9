import "server-only";
import { csvLine } from "../http/csv";
import { describeBrowser } from "../http/request-info";
import { describeAuditRow, type AuditRow } from "./queries";

export const AUDIT_CSV_HEADER = [
  "Date (UTC)",
  "User",
  "Section",
  "Action",
  "Field",
  "Old value",
  "New value",
  "Details",
  "IP address",
  "Browser",
  "Target user",
];

export function auditCsvLine(row: AuditRow): string {
  return csvLine([
    row.createdAt.toISOString(),
    row.actorName ?? "System",
    row.section,
    row.action,
    row.field,
    row.oldValue,
    row.newValue,
    describeAuditRow(row),
    row.ip,
    row.userAgent ? describeBrowser(row.userAgent) : null,
    row.target,
  ]);
}
