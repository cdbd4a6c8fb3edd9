import "server-only";
import { requirePermission, type Principal } from "../auth/principal";
import { db } from "../db/client";
import { NotFoundError } from "../errors";
import { ulid } from "../events/ulid";
import { signedHeaders } from "./signing";
import { postSigned, type PostResult, type ResolveHost } from "./transport";
import { isProduction, signingSecrets } from "./worker";

// "Send test": one `ping`, signed and sent exactly as an event is (same
// headers, same address rules), but not a stored event: it takes no sequence
// number and moves no cursor. Its webhook-id is "ping_<ULID>".

export interface PingOptions {
  now?: Date;
  resolve?: ResolveHost;
  production?: boolean;
  timeoutMs?: number;
}

export async function sendPing(principal: Principal, endpointId: string, options: PingOptions = {}): Promise<PostResult & { id: string }> {
  requirePermission(principal, "events:read");
  const now = options.now ?? new Date();
  const endpoint = await db().webhookEndpoint.findFirst({ where: { id: endpointId, orgId: principal.orgId } });
  if (!endpoint) throw new NotFoundError("That webhook endpoint");
  const id = `ping_${ulid(now)}`;
  const body = JSON.stringify({ id, type: "ping", occurredAt: now.toISOString(), orgId: principal.orgId, endpointId: endpoint.id });
  const previousActive = endpoint.previousSecretUntil !== null && endpoint.previousSecretUntil > now;
  const headers = signedHeaders(signingSecrets(endpoint, previousActive), id, Math.floor(now.getTime() / 1000), body);
  const result = await postSigned(endpoint.url, headers, body, {
    production: options.production ?? isProduction(),
    resolve: options.resolve,
    timeoutMs: options.timeoutMs,
  });
  await db().webhookEndpoint.updateMany({ where: { id: endpoint.id, orgId: principal.orgId }, data: { lastAttemptAt: now } });
  return { ...result, id };
}
