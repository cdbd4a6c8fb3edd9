import { apiRoute } from "@/lib/api/route";
import { userDetail, userDetailSchema, userIdParams } from "@/lib/api/users";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/users/{id}",
  operationId: "getUser",
  summary: "Read a user",
  tags: ["Users"],
  permission: "setup:read",
  params: userIdParams,
  response: { status: 200, description: "The user.", schema: userDetailSchema },
  problems: ["not-found"],
  handler: async ({ principal, params }) => ({ body: await userDetail(principal, params.id) }),
});
