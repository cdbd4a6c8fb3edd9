import { apiRoute } from "@/lib/api/route";
import { eventsPage, eventsPageSchema, eventsQuery } from "@/lib/events/feed";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/events",
  operationId: "listEvents",
  summary: "Read the org's security events",
  description:
    "The org's typed security events, oldest first, each exactly once, in sequence order. Pass `nextCursor` back as `after` to continue; it stays valid across restarts and is returned unchanged when nothing new came. `types` filters; `format=ocsf` gives OCSF 1.x records. A cursor older than event retention after which events were deleted answers 410.",
  tags: ["Events"],
  permission: "events:read",
  query: eventsQuery,
  response: { status: 200, description: "A page of events.", schema: eventsPageSchema },
  problems: ["invalid-cursor", "gone"],
  handler: async ({ principal, query }) => ({ body: await eventsPage(principal, query) }),
});
