import { apiRoute } from "@/lib/api/route";
import { temporaryCodeBody, temporaryCodeSchema, userIdParams } from "@/lib/api/users";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users/{id}/temporary-codes",
  operationId: "issueTemporaryCode",
  summary: "Issue a temporary verification code",
  description: "For a user who lost their methods: the code verifies their logins until it expires. It is returned once and never again.",
  tags: ["Security keys"],
  permission: "codes:issue",
  params: userIdParams,
  body: temporaryCodeBody,
  response: { status: 201, description: "The code, shown once.", schema: temporaryCodeSchema },
  problems: ["not-found", "unprocessable"],
  handler: async ({ principal, params, body }) => {
    const { code, expiresAt } = await issueTemporaryCode(principal, params.id, body.hours);
    return { body: { code, expiresAt: expiresAt.toISOString() } };
  },
});
