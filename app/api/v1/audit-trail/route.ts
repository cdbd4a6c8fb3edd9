import { auditTrailPage, auditTrailPageSchema, auditTrailQuery } from "@/lib/api/history";
import { apiRoute } from "@/lib/api/route";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/audit-trail",
  operationId: "getAuditTrail",
  summary: "Read the Setup Audit Trail",
  description: "Every change to the org's setup, one row per changed field, newest first. Pass `nextCursor` back as `cursor` for older rows.",
  tags: ["History"],
  permission: "history:read",
  query: auditTrailQuery,
  response: { status: 200, description: "A page of rows.", schema: auditTrailPageSchema },
  problems: ["invalid-cursor"],
  handler: async ({ principal, query }) => ({ body: await auditTrailPage(principal, query) }),
});
