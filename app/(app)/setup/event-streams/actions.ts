"use server";

import { revalidatePath } from "next/cache";
import { orgAction } from "@/lib/auth/action";
import { createEndpoint, deleteEndpoint, pauseEndpoint, replayEndpoint, resumeEndpoint, rotateSecret, updateEndpoint } from "@/lib/webhooks/endpoints";
import { sendPing } from "@/lib/webhooks/ping";
import { createEndpointSchema, endpointIdSchema, replayEndpointSchema, updateEndpointSchema } from "@/lib/webhooks/validation";

// Setup → Event Streams. Adding an endpoint, changing what it receives,
// pausing it, rotating its secret and deleting it each need a fresh "verify
// it's you": each could hide events from the org's SIEM or hand out a secret.
// Resuming, replaying and a test ping only send more.

function refresh() {
  revalidatePath("/setup/event-streams");
  revalidatePath("/setup/audit-trail");
}

/** The new endpoint's signing secret is in this answer and never again. */
export const createEndpointAction = orgAction({ role: "ADMIN", stepUp: true, schema: createEndpointSchema }, async (ctx, input) => {
  const created = await createEndpoint(ctx, input);
  refresh();
  return created;
});

export const updateEndpointAction = orgAction({ role: "ADMIN", stepUp: true, schema: updateEndpointSchema }, async (ctx, input) => {
  await updateEndpoint(ctx, input);
  refresh();
});

export const pauseEndpointAction = orgAction({ role: "ADMIN", stepUp: true, schema: endpointIdSchema }, async (ctx, input) => {
  await pauseEndpoint(ctx, input.endpointId);
  refresh();
});

export const resumeEndpointAction = orgAction({ role: "ADMIN", schema: endpointIdSchema }, async (ctx, input) => {
  await resumeEndpoint(ctx, input.endpointId);
  refresh();
});

export const replayEndpointAction = orgAction({ role: "ADMIN", schema: replayEndpointSchema }, async (ctx, input) => {
  const replay = await replayEndpoint(ctx, input.endpointId, input.from);
  refresh();
  return replay;
});

/** A signed `ping`; its outcome is the answer (a failed ping is not an error of the action). */
export const sendTestAction = orgAction({ role: "ADMIN", schema: endpointIdSchema }, async (ctx, input) => {
  const result = await sendPing(ctx, input.endpointId);
  revalidatePath("/setup/event-streams");
  return { ok: result.ok, status: result.status, error: result.error };
});

/** The new secret is in this answer and never again; the previous one signs beside it for 24 hours. */
export const rotateSecretAction = orgAction({ role: "ADMIN", stepUp: true, schema: endpointIdSchema }, async (ctx, input) => {
  const rotated = await rotateSecret(ctx, input.endpointId);
  refresh();
  return rotated;
});

export const deleteEndpointAction = orgAction({ role: "ADMIN", stepUp: true, schema: endpointIdSchema }, async (ctx, input) => {
  await deleteEndpoint(ctx, input.endpointId);
  refresh();
});
