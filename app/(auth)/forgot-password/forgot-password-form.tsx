"use client";

import { useState, type FormEvent } from "react";
import { formAction } from "../../_components/form-action";
import { Alert, Button, Field } from "../../_components/ui";
import { forgotPasswordAction } from "./actions";

// The same words as RESET_REQUESTED in lib/users/password-reset.ts (a client component cannot import it).
const SENT = "If that username belongs to an active account, we've emailed its owner a link to choose a new password. The link works for 1 hour.";

/** `sent` and `error`: the outcome of a post made before JavaScript ran (the page reads it from its URL). */
export function ForgotPasswordForm({ sent: sentBefore = false, error: errorBefore = null }: { sent?: boolean; error?: string | null }) {
  const [error, setError] = useState<string | null>(errorBefore);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [sent, setSent] = useState(sentBefore);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const result = await forgotPasswordAction(new FormData(event.currentTarget));
    setPending(false);
    if (result.ok) return setSent(true);
    setFieldErrors(result.fieldErrors ?? {});
    setError(result.error);
  }

  if (sent) return <Alert tone="success">{SENT}</Alert>;
  return (
    <form action={formAction(forgotPasswordAction)} onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field label="Username" name="username" type="email" autoComplete="username" required autoFocus error={fieldErrors.username} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Sending…" : "Email me a link"}
      </Button>
    </form>
  );
}
