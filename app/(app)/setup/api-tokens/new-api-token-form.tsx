"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionError } from "@/lib/auth/action";
import type { Permission } from "@/lib/auth/permissions";
import { formatDateTime } from "@/lib/format";
import { CopyButton } from "../../../_components/copy-button";
import { useStepUp } from "../../../_components/step-up";
import { Alert, Button, Field } from "../../../_components/ui";
import { createApiTokenAction } from "./actions";

type Created = { id: string; name: string; secret: string; expiresAt: string };

/**
 * "New token": a name, scopes and an expiry; created after the admin verifies
 * it's them. The secret is shown here once, and gone when they click Done.
 */
export function NewApiTokenForm({
  scopes,
  expiryChoices,
}: {
  scopes: { permission: Permission; description: string; preselected: boolean }[];
  expiryChoices: number[];
}) {
  const router = useRouter();
  const [error, setError] = useState<ActionError | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [pending, setPending] = useState(false);
  const stepUp = useStepUp();
  const fieldErrors = error?.fieldErrors ?? {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    let outcome;
    try {
      outcome = await stepUp.run(() => createApiTokenAction(form));
    } catch {
      outcome = { ok: false as const, error: "The token was not created. Reload the page and try again." };
    }
    setPending(false);
    if (!outcome) return; // the admin canceled the verification: nothing was sent
    if (!outcome.ok) return setError(outcome);
    setError(null);
    setCreated(outcome.data);
    router.refresh();
  }

  if (created) {
    return (
      <div className="space-y-3">
        <Alert tone="success">
          Token “{created.name}” created. It works until {formatDateTime(created.expiresAt)}. Copy it now and keep it somewhere safe: you won&apos;t see it
          again.
        </Alert>
        <div className="flex flex-wrap items-center gap-3">
          <p aria-label="New API token" className="break-all rounded-lg bg-slate-50 px-4 py-3 font-mono text-sm text-slate-900">
            {created.secret}
          </p>
          <CopyButton text={created.secret} />
        </div>
        <Button variant="secondary" onClick={() => setCreated(null)}>
          Done
        </Button>
      </div>
    );
  }

  return (
    <div>
      <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        {error && <Alert>{error.error}</Alert>}
        <Field label="Name" name="name" required maxLength={100} error={fieldErrors.name} hint="What uses it, e.g. “Terraform in CI”." />
        <fieldset aria-describedby={fieldErrors.scopes ? "api-token-scopes-error" : undefined}>
          <legend className="block text-sm font-medium text-slate-700">Scopes</legend>
          <p className="mt-1 text-xs text-slate-500">What the token may do. Give it only what it needs.</p>
          <div className="mt-2 space-y-2">
            {scopes.map((scope) => (
              <label key={scope.permission} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope.permission}
                  defaultChecked={scope.preselected}
                  className="mt-0.5 h-4 w-4 rounded border-slate-300 text-brand-600"
                />
                <span>
                  <span className="font-mono text-slate-900">{scope.permission}</span>
                  <span className="block text-slate-500">{scope.description}</span>
                </span>
              </label>
            ))}
          </div>
          {fieldErrors.scopes && (
            <p id="api-token-scopes-error" className="mt-1 text-sm text-red-600">
              {fieldErrors.scopes}
            </p>
          )}
        </fieldset>
        <div>
          <label htmlFor="api-token-expiry" className="block text-sm font-medium text-slate-700">
            Expires in
          </label>
          <select
            id="api-token-expiry"
            name="expiresInDays"
            defaultValue="90"
            className="mt-1 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          >
            {expiryChoices.map((days) => (
              <option key={days} value={days}>
                {days} days
              </option>
            ))}
          </select>
          {fieldErrors.expiresInDays && <p className="mt-1 text-sm text-red-600">{fieldErrors.expiresInDays}</p>}
        </div>
        <Button type="submit" disabled={pending}>
          Create token
        </Button>
      </form>
      {stepUp.panel}
    </div>
  );
}
