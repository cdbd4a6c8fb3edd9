"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { orgAction } from "@/lib/auth/action";
import { createApiToken, revokeApiToken } from "@/lib/api-tokens/mutations";
import { apiTokenIdSchema, createApiTokenSchema } from "@/lib/api-tokens/schema";

/** A new API token, after the admin's fresh "verify it's you": the secret is in this answer and never again. */
export const createApiTokenAction = orgAction({ role: "ADMIN", stepUp: true, schema: createApiTokenSchema }, async (ctx, input) => {
  const token = await createApiToken(ctx, input);
  revalidatePath("/setup/api-tokens");
  revalidatePath("/setup/audit-trail");
  return { id: token.id, name: token.name, secret: token.secret, expiresAt: token.expiresAt.toISOString() };
});

/** Revokes one of the org's tokens (the page asks first); revoking one already revoked answers the same. */
export const revokeApiTokenAction = orgAction({ role: "ADMIN", schema: z.object({ tokenId: apiTokenIdSchema }) }, async (ctx, input) => {
  await revokeApiToken(ctx, input.tokenId);
  revalidatePath("/setup/api-tokens");
  revalidatePath("/setup/audit-trail");
});
