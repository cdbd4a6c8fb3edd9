"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionError } from "@/lib/auth/action";
import type { EventTypeGroup } from "@/lib/webhooks/event-groups";
import { useStepUp } from "../../../_components/step-up";
import { Alert, Button, Field } from "../../../_components/ui";
import { createEndpointAction } from "./actions";
import { EventTypeFields } from "./event-type-fields";
import { SecretOnce } from "./secret-once";

/** "Add endpoint": URL, description and event types, after "verify it's you"; the signing secret is shown once. */
export function NewEndpointForm({ groups, urlHint }: { groups: EventTypeGroup[]; urlHint: string }) {
  const router = useRouter();
  const [error, setError] = useState<ActionError | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const stepUp = useStepUp();
  const fieldErrors = error?.fieldErrors ?? {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    const outcome = await stepUp.run(() => createEndpointAction(form)).catch(() => ({ ok: false as const, error: "The endpoint was not added. Try again." }));
    setPending(false);
    if (!outcome) return;
    if (!outcome.ok) return setError(outcome);
    setError(null);
    setSecret(outcome.data.secret);
    router.refresh();
  }

  if (secret) {
    return (
      <SecretOnce
        secret={secret}
        message="Endpoint added. Its first delivery is the event of its own creation."
        onDone={() => {
          setSecret(null);
          setFormKey((k) => k + 1);
        }}
      />
    );
  }
  return (
    <div>
      <form key={formKey} method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Alert>{error.error}</Alert>}
        <Field label="URL" name="url" type="url" required placeholder="https://siem.example.com/hooks/gatehouse" error={fieldErrors.url} hint={urlHint} />
        <Field label="Description" name="description" maxLength={200} error={fieldErrors.description} hint="Optional: what receives these events." />
        <EventTypeFields groups={groups} selected={[]} idPrefix="new" />
        {fieldErrors.eventTypes && <p className="text-sm text-red-600">{fieldErrors.eventTypes}</p>}
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add endpoint"}
        </Button>
      </form>
      {stepUp.panel}
    </div>
  );
}
