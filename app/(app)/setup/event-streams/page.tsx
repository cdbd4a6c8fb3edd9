import type { Metadata } from "next";
import Link from "next/link";
import { requireAdminContext } from "@/lib/auth/page";
import { eventTypeGroups } from "@/lib/webhooks/event-groups";
import { listEndpoints, type EndpointHealth } from "@/lib/webhooks/queries";
import { isProduction } from "@/lib/webhooks/worker";
import { Badge, Card, PageHeader, formatDateTime } from "../../../_components/ui";
import { EndpointControls } from "./endpoint-controls";
import { NewEndpointForm } from "./new-endpoint-form";

export const metadata: Metadata = { title: "Event Streams" };
// Health changes with every delivery, and whether http://localhost is allowed depends on how the server runs.
export const dynamic = "force-dynamic";

function formatLag(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function Health({ endpoint }: { endpoint: EndpointHealth }) {
  const state =
    endpoint.state === "PAUSED" ? (
      <Badge tone="amber">Paused</Badge>
    ) : endpoint.consecutiveFailures > 0 ? (
      <Badge tone="red">Failing</Badge>
    ) : (
      <Badge tone="green">Active</Badge>
    );
  const rows: { term: string; value: string }[] = [
    { term: "Last success", value: endpoint.lastSuccessAt ? formatDateTime(endpoint.lastSuccessAt) : "Never" },
    { term: "Consecutive failures", value: String(endpoint.consecutiveFailures) },
    { term: "Lag", value: endpoint.lagEvents === 0 ? "Up to date" : `${endpoint.lagEvents} events, oldest ${formatLag(endpoint.lagSeconds)} old` },
  ];
  if (endpoint.failingSince) rows.push({ term: "Failing since", value: formatDateTime(endpoint.failingSince) });
  if (endpoint.state === "ACTIVE" && endpoint.consecutiveFailures > 0) rows.push({ term: "Next attempt", value: formatDateTime(endpoint.nextAttemptAt) });
  if (endpoint.pausedAt) rows.push({ term: "Paused", value: `${formatDateTime(endpoint.pausedAt)}: ${endpoint.pausedReason ?? ""}` });
  if (endpoint.previousSecretUntil) rows.push({ term: "Previous secret signs until", value: formatDateTime(endpoint.previousSecretUntil) });
  return (
    <div className="space-y-2">
      <div>{state}</div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map((row) => (
          <div key={row.term} className="contents">
            <dt className="text-slate-500">{row.term}</dt>
            <dd className="text-slate-800">{row.value}</dd>
          </div>
        ))}
      </dl>
      {endpoint.lastError && (
        <p className="break-words text-sm text-red-700">
          <span className="font-medium">Last error:</span> {endpoint.lastError}
        </p>
      )}
    </div>
  );
}

export default async function EventStreamsPage() {
  const ctx = await requireAdminContext();
  const endpoints = await listEndpoints(ctx);
  const groups = eventTypeGroups();
  const urlHint = isProduction() ? "https only, to a public address." : "https, or http://localhost while Gatehouse is not in production mode.";

  return (
    <>
      <PageHeader
        title="Event Streams"
        description={
          <>
            Send {ctx.orgName}&apos;s security events to your SIEM or any HTTPS receiver as they happen, each signed (Standard Webhooks), in order, and retried
            until delivered. An endpoint failing for 24 hours is paused and admins are emailed.{" "}
            <Link href="/setup/audit-trail" className="font-medium text-brand-600 hover:text-brand-700">
              View Setup Audit Trail
            </Link>
          </>
        }
      />
      <div className="space-y-6">
        <Card title="Add endpoint" description="You'll be asked to verify it's you. The signing secret is shown once, when the endpoint is added.">
          <NewEndpointForm groups={groups} urlHint={urlHint} />
        </Card>
        <section aria-labelledby="endpoints-heading" className="space-y-4">
          <h2 id="endpoints-heading" className="text-base font-semibold text-slate-900">
            Endpoints
          </h2>
          {endpoints.length === 0 && (
            <p className="rounded-xl border border-slate-200 bg-white px-4 py-10 text-center text-sm text-slate-500">No endpoints yet.</p>
          )}
          {endpoints.map((endpoint) => (
            <article key={endpoint.id} aria-label={endpoint.url} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <div className="grid gap-6 lg:grid-cols-[1fr_1fr]">
                <div className="min-w-0 space-y-2">
                  <h3 className="break-all font-mono text-sm font-semibold text-slate-900">{endpoint.url}</h3>
                  {endpoint.description && <p className="text-sm text-slate-600">{endpoint.description}</p>}
                  <p className="text-sm text-slate-500">
                    {endpoint.eventTypes.length === 0 ? "All event types" : `${endpoint.eventTypes.length} event types: ${endpoint.eventTypes.join(", ")}`}
                  </p>
                  <p className="text-xs text-slate-500">Added {formatDateTime(endpoint.createdAt)}</p>
                </div>
                <Health endpoint={endpoint} />
              </div>
              <div className="mt-4 border-t border-slate-100 pt-4">
                <EndpointControls
                  endpoint={{
                    id: endpoint.id,
                    url: endpoint.url,
                    description: endpoint.description,
                    eventTypes: endpoint.eventTypes,
                    state: endpoint.state,
                    replayHorizon: endpoint.replayHorizon?.toISOString() ?? null,
                  }}
                  groups={groups}
                />
              </div>
            </article>
          ))}
        </section>
      </div>
    </>
  );
}
