import { apiRoute } from "@/lib/api/route";
import { userIdParams } from "@/lib/api/users";
import { adminResetPassword } from "@/lib/users/password-reset";

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users/{id}/reset-password",
  operationId: "resetUserPassword",
  summary: "Reset a user's password",
  description:
    "Like Reset password on the user's page: the old password stops working, their sessions end and a set-password link is emailed. 429 `email-quota` when the reset was done but the email could not be sent.",
  tags: ["Users"],
  permission: "users:write",
  params: userIdParams,
  response: { status: 204, description: "Reset; the link is on its way." },
  problems: ["not-found", "unprocessable", "email-quota"],
  handler: async ({ principal, params }) => {
    await adminResetPassword(principal, params.id);
    return {};
  },
});
