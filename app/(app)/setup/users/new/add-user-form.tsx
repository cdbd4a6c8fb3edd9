"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { Alert, Button, ButtonLink, Field } from "../../../../_components/ui";
import { useStepUp } from "../../../../_components/step-up";
import { addUserAction } from "../actions";

export function AddUserForm() {
  const router = useRouter();
  const [result, setResult] = useState<ActionResult<{ userId: string }> | null>(null);
  const [pending, setPending] = useState(false);
  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const stepUp = useStepUp();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    const form = new FormData(event.currentTarget);
    // Adding an admin needs a fresh "verify it's you"; the panel asks and sends the form again.
    const outcome = await stepUp.run(() => addUserAction(form));
    setPending(false);
    if (!outcome) return;
    setResult(outcome);
    if (outcome.ok) router.push(`/setup/users/${outcome.data.userId}`);
  }

  return (
    <div>
      <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        {result && !result.ok && <Alert>{result.error}</Alert>}
        <Field label="Name" name="name" required error={fieldErrors.name} />
        <Field
          label="Username"
          name="username"
          type="email"
          required
          error={fieldErrors.username}
          hint="Email-shaped and unique across Gatehouse, e.g. grace@acme.test."
        />
        <Field label="Email" name="email" type="email" required error={fieldErrors.email} hint="Where the invitation and notifications go." />
        <div>
          <label htmlFor="field-role" className="block text-sm font-medium text-slate-700">
            Role
          </label>
          <select
            id="field-role"
            name="role"
            defaultValue="STANDARD"
            className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm"
          >
            <option value="STANDARD">Standard</option>
            <option value="ADMIN">Admin</option>
          </select>
          {fieldErrors.role && <p className="mt-1 text-sm text-red-600">{fieldErrors.role}</p>}
        </div>
        <p className="text-sm text-slate-500">Gatehouse emails them a “Set your password” link. It works once and expires after 72 hours.</p>
        <div className="flex gap-2 pt-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </Button>
          <ButtonLink href="/setup/users" variant="secondary">
            Cancel
          </ButtonLink>
        </div>
      </form>
      {stepUp.panel}
    </div>
  );
}
