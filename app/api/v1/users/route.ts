import { apiRoute } from "@/lib/api/route";
import { createUserBody, userDetail, userDetailSchema, usersPage, usersPageSchema, usersQuery } from "@/lib/api/users";
import { addUser } from "@/lib/users/mutations";

export const GET = apiRoute({
  method: "GET",
  path: "/api/v1/users",
  operationId: "listUsers",
  summary: "List the org's users",
  description: "Oldest first, a page at a time: pass `nextCursor` back as `cursor`.",
  tags: ["Users"],
  permission: "setup:read",
  query: usersQuery,
  response: { status: 200, description: "A page of users.", schema: usersPageSchema },
  problems: ["invalid-cursor"],
  handler: async ({ principal, query }) => ({ body: await usersPage(principal, query) }),
});

export const POST = apiRoute({
  method: "POST",
  path: "/api/v1/users",
  operationId: "createUser",
  summary: "Add a user and email their invitation",
  description: 'Like Setup → Users → New user: the user gets a "Set your password" email. Adding an Admin also needs `users:grant-admin`.',
  tags: ["Users"],
  permission: "users:write",
  body: createUserBody,
  response: { status: 201, description: "Added; the invitation is on its way.", schema: userDetailSchema },
  problems: ["unprocessable", "email-quota"],
  handler: async ({ principal, body }) => {
    const { userId } = await addUser(principal, body);
    return { body: await userDetail(principal, userId) };
  },
});
