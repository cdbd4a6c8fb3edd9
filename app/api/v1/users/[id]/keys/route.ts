import { apiRoute } from "@/lib/api/route";
import { keyOf, keysSchema, userDetail, userIdParams } from "@/lib/api/users";
import { listUserKeys } from "@/lib/webauthn/keys";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/users/{id}/keys",
  operationId: "listUserKeys",
  summary: "List a user's security keys",
  tags: ["Security keys"],
  permission: "setup:read",
  params: userIdParams,
  response: { status: 200, description: "The user's keys, oldest first.", schema: keysSchema },
  problems: ["not-found"],
  handler: async ({ principal, params }) => {
    await userDetail(principal, params.id); // another org's user is not found, not an empty list
    return { body: { items: (await listUserKeys(principal, params.id)).map(keyOf) } };
  },
});
