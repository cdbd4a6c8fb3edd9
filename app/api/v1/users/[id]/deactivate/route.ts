import { apiRoute } from "@/lib/api/route";
import { userDetail, userDetailSchema, userIdParams } from "@/lib/api/users";
import { setUserActive } from "@/lib/users/mutations";

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users/{id}/deactivate",
  operationId: "deactivateUser",
  summary: "Deactivate a user",
  description:
    "Their sessions end at once and they can no longer log in; their API tokens stop working. Audited with the token as actor; doing it twice changes nothing.",
  tags: ["Users"],
  permission: "users:write",
  params: userIdParams,
  response: { status: 200, description: "The user, now inactive.", schema: userDetailSchema },
  problems: ["not-found", "unprocessable"],
  handler: async ({ principal, params }) => {
    await setUserActive(principal, params.id, false);
    return { body: await userDetail(principal, params.id) };
  },
});
