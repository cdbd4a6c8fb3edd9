"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { finishLogin } from "../../_components/finish-login";
import { Alert, Button, Field } from "../../_components/ui";
import { createOrgAction } from "./actions";

export function SignupForm() {
  const router = useRouter();
  const [result, setResult] = useState<ActionResult<{ username: string }> | null>(null);
  const [pending, setPending] = useState(false);
  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    const outcome = await createOrgAction(form);
    setResult(outcome);
    if (!outcome.ok) {
      setPending(false);
      return;
    }
    const failure = await finishLogin();
    router.replace(failure ? "/login" : "/home");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {result && !result.ok && <Alert>{result.error}</Alert>}
      <Field label="Org name" name="orgName" required error={fieldErrors.orgName} autoFocus />
      <Field
        label="URL name"
        name="slug"
        required
        error={fieldErrors.slug}
        hint="Lowercase letters, digits and hyphens, e.g. acme-corp."
      />
      <Field label="Your name" name="name" required autoComplete="name" error={fieldErrors.name} />
      <Field label="Email" name="email" type="email" required autoComplete="email" error={fieldErrors.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        required
        autoComplete="new-password"
        error={fieldErrors.password}
        hint="At least 12 characters."
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating your org…" : "Create org"}
      </Button>
    </form>
  );
}
