import { apiRoute } from "@/lib/api/route";
import { endSessionsSchema, userIdParams } from "@/lib/api/users";
import { endUserSessions } from "@/lib/users/mutations";

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users/{id}/end-sessions",
  operationId: "endUserSessions",
  summary: "End all of a user's sessions",
  description: "Every browser where they are signed in is signed out, and logins waiting for verification end.",
  tags: ["Users"],
  permission: "users:write",
  params: userIdParams,
  response: { status: 200, description: "Ended.", schema: endSessionsSchema },
  problems: ["not-found"],
  handler: async ({ principal, params }) => ({ body: await endUserSessions(principal, params.id) }),
});
