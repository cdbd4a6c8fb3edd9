import { verificationHistoryPage, verificationHistoryPageSchema, verificationHistoryQuery } from "@/lib/api/history";
import { apiRoute } from "@/lib/api/route";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/verification-history",
  operationId: "getVerificationHistory",
  summary: "Read Identity Verification History",
  description:
    "Every identity verification of the org's users (logins, device activation, re-authentication, methods added and removed), newest first. Pass `nextCursor` back as `cursor` for older rows.",
  tags: ["History"],
  permission: "history:read",
  query: verificationHistoryQuery,
  response: { status: 200, description: "A page of rows.", schema: verificationHistoryPageSchema },
  problems: ["invalid-cursor"],
  handler: async ({ principal, query }) => ({ body: await verificationHistoryPage(principal, query) }),
});
