import { apiRoute } from "@/lib/api/route";
import { removeKeyQuery, userKeyParams } from "@/lib/api/users";
import { removeUserKey } from "@/lib/webauthn/keys";

export const DELETE = apiRoute({
  method: "DELETE",
  path: "/api/v1/users/{id}/keys/{keyId}",
  operationId: "removeUserKey",
  summary: "Remove a user's security key",
  description: "For a lost or stolen key: removed at once, audited with the reason, and the user is emailed, as on the user's page.",
  tags: ["Security keys"],
  permission: "factors:manage",
  params: userKeyParams,
  query: removeKeyQuery,
  response: { status: 204, description: "Removed; the user is emailed." },
  problems: ["not-found", "unprocessable", "email-quota"],
  handler: async ({ principal, params, query }) => {
    await removeUserKey(principal, params.id, params.keyId, query.reason ?? "Removed with the Admin API");
    return {};
  },
});
