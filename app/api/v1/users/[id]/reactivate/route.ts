import { apiRoute } from "@/lib/api/route";
import { userDetail, userDetailSchema, userIdParams } from "@/lib/api/users";
import { setUserActive } from "@/lib/users/mutations";

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users/{id}/reactivate",
  operationId: "reactivateUser",
  summary: "Reactivate a user",
  description: "They can log in again. Audited with the token as actor; doing it twice changes nothing.",
  tags: ["Users"],
  permission: "users:write",
  params: userIdParams,
  response: { status: 200, description: "The user, now active.", schema: userDetailSchema },
  problems: ["not-found", "unprocessable"],
  handler: async ({ principal, params }) => {
    await setUserActive(principal, params.id, true);
    return { body: await userDetail(principal, params.id) };
  },
});
