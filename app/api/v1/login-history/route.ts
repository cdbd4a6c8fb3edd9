import { loginHistoryPage, loginHistoryPageSchema, loginHistoryQuery } from "@/lib/api/history";
import { apiRoute } from "@/lib/api/route";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/login-history",
  operationId: "getLoginHistory",
  summary: "Read Login History",
  description: "Every login attempt on the org's usernames, newest first. Pass `nextCursor` back as `cursor` for older rows.",
  tags: ["History"],
  permission: "history:read",
  query: loginHistoryQuery,
  response: { status: 200, description: "A page of rows.", schema: loginHistoryPageSchema },
  problems: ["invalid-cursor"],
  handler: async ({ principal, query }) => ({ body: await loginHistoryPage(principal, query) }),
});
