"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { EventTypeGroup } from "@/lib/webhooks/event-groups";
import { ActionButton } from "../../../_components/action-button";
import { useStepUp } from "../../../_components/step-up";
import { Alert, Button, formatDateTime } from "../../../_components/ui";
import {
  deleteEndpointAction,
  pauseEndpointAction,
  replayEndpointAction,
  resumeEndpointAction,
  rotateSecretAction,
  sendTestAction,
  updateEndpointAction,
} from "./actions";
import { EventTypeFields } from "./event-type-fields";
import { SecretOnce } from "./secret-once";

interface EndpointView {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  state: "ACTIVE" | "PAUSED";
  /** ISO; the earliest "Replay from" accepts, or null (kept forever). */
  replayHorizon: string | null;
}

/** One endpoint's controls: send test, pause or resume, replay from, edit, rotate secret, delete. */
export function EndpointControls({ endpoint, groups }: { endpoint: EndpointView; groups: EventTypeGroup[] }) {
  const input = { endpointId: endpoint.id };
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start gap-2">
        <SendTestButton endpointId={endpoint.id} url={endpoint.url} />
        {endpoint.state === "ACTIVE" ? (
          <ActionButton action={pauseEndpointAction} input={input} label={`Pause ${endpoint.url}`} done="Paused.">
            Pause
          </ActionButton>
        ) : (
          <ActionButton action={resumeEndpointAction} input={input} label={`Resume ${endpoint.url}`} done="Resumed.">
            Resume
          </ActionButton>
        )}
        <RotateSecretButton endpointId={endpoint.id} url={endpoint.url} />
        <ActionButton
          action={deleteEndpointAction}
          input={input}
          label={`Delete ${endpoint.url}`}
          variant="danger"
          confirm={`Delete the endpoint ${endpoint.url}? It stops receiving events at once; this can't be undone.`}
        >
          Delete
        </ActionButton>
      </div>
      <ReplayForm endpoint={endpoint} />
      <details className="rounded-lg border border-slate-200 px-3 py-2">
        <summary className="cursor-pointer text-sm font-medium text-slate-700">Edit description and event types</summary>
        <EditForm endpoint={endpoint} groups={groups} />
      </details>
    </div>
  );
}

function SendTestButton({ endpointId, url }: { endpointId: string; url: string }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="flex items-center gap-2">
      <Button
        variant="secondary"
        disabled={pending}
        aria-label={`Send test to ${url}`}
        onClick={async () => {
          setPending(true);
          const result = await sendTestAction({ endpointId });
          setPending(false);
          if (!result.ok) return setMessage({ ok: false, text: result.error });
          setMessage(result.data.ok ? { ok: true, text: `Test delivered (${result.data.status}).` } : { ok: false, text: `Test failed: ${result.data.error}` });
        }}
      >
        {pending ? "Sending…" : "Send test"}
      </Button>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-600"}`}>
          {message.text}
        </p>
      )}
    </div>
  );
}

function RotateSecretButton({ endpointId, url }: { endpointId: string; url: string }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (secret) {
    return (
      <SecretOnce
        secret={secret}
        message="New signing secret made. For 24 hours deliveries carry signatures with the old and the new one."
        onDone={() => setSecret(null)}
      />
    );
  }
  return (
    <div>
      <Button
        variant="secondary"
        aria-label={`Rotate the signing secret of ${url}`}
        onClick={async () => {
          if (!window.confirm("Make a new signing secret? The current one keeps working for 24 hours.")) return;
          const result = await stepUp.run(() => rotateSecretAction({ endpointId }));
          if (!result) return;
          if (!result.ok) return setError(result.error);
          setError(null);
          setSecret(result.data.secret);
          router.refresh();
        }}
      >
        Rotate secret
      </Button>
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-600">
          {error}
        </p>
      )}
      {stepUp.panel}
    </div>
  );
}

function ReplayForm({ endpoint }: { endpoint: EndpointView }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const fieldId = `replay-${endpoint.id}`;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const local = String(new FormData(event.currentTarget).get("from") ?? "");
    // datetime-local is the browser's local time: sent as an instant.
    const from = local ? new Date(local) : null;
    if (!from || Number.isNaN(from.getTime())) return setMessage({ ok: false, text: "Choose a date and time." });
    const result: ActionResult<{ events: number }> = await replayEndpointAction({ endpointId: endpoint.id, from: from.toISOString() });
    if (!result.ok) return setMessage({ ok: false, text: result.fieldErrors?.from ?? result.error });
    setMessage({ ok: true, text: `Replaying ${result.data.events} event${result.data.events === 1 ? "" : "s"} (those of other types are skipped).` });
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" noValidate>
      <div>
        <label htmlFor={fieldId} className="block text-sm font-medium text-slate-700">
          Replay from
        </label>
        <input
          id={fieldId}
          name="from"
          type="datetime-local"
          required
          className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
        />
        {endpoint.replayHorizon && <p className="mt-1 text-xs text-slate-500">Events are kept since {formatDateTime(endpoint.replayHorizon)}.</p>}
      </div>
      <Button type="submit" variant="secondary">
        Replay
      </Button>
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-600"}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function EditForm({ endpoint, groups }: { endpoint: EndpointView; groups: EventTypeGroup[] }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    form.set("endpointId", endpoint.id);
    const result = await stepUp.run(() => updateEndpointAction(form));
    if (!result) return;
    setMessage(
      result.ok ? { ok: true, text: "Saved." } : { ok: false, text: result.fieldErrors?.eventTypes ?? result.fieldErrors?.description ?? result.error },
    );
    if (result.ok) router.refresh();
  }

  return (
    <div className="mt-3">
      <form onSubmit={onSubmit} className="space-y-3" noValidate>
        {message && <Alert tone={message.ok ? "success" : "error"}>{message.text}</Alert>}
        <div>
          <label htmlFor={`description-${endpoint.id}`} className="block text-sm font-medium text-slate-700">
            Description
          </label>
          <input
            id={`description-${endpoint.id}`}
            name="description"
            maxLength={200}
            defaultValue={endpoint.description}
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          />
        </div>
        <EventTypeFields groups={groups} selected={endpoint.eventTypes} idPrefix={endpoint.id} />
        <Button type="submit">Save</Button>
      </form>
      {stepUp.panel}
    </div>
  );
}
