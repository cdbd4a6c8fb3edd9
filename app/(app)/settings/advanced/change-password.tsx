"use client";

import { useRef, useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { useStepUp } from "../../../_components/step-up";
import { Alert, Button, NewPasswordFields } from "../../../_components/ui";
import { changePasswordAction } from "./actions";

/** "Change password": after "verify it's you" (the current password is not asked again inside the window). */
export function ChangePassword({ username }: { username: string }) {
  const stepUp = useStepUp();
  const formRef = useRef<HTMLFormElement>(null);
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<ActionResult<void> | null>(null);
  const [pending, setPending] = useState(false);
  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setResult(null);
    const outcome = await stepUp.run(() => changePasswordAction(form));
    setPending(false);
    if (!outcome) return;
    setResult(outcome);
    if (outcome.ok) {
      formRef.current?.reset();
      setOpen(false);
    }
  }

  if (!open) {
    return (
      <div className="flex flex-wrap items-center justify-between gap-4 text-sm">
        {result?.ok ? (
          <p role="status" className="text-emerald-700">
            Password changed. Your other sessions were signed out.
          </p>
        ) : (
          <p className="text-slate-600">Changing your password signs you out of every other browser.</p>
        )}
        <Button variant="secondary" onClick={() => setOpen(true)}>
          Change password
        </Button>
      </div>
    );
  }
  // "Verify it's you" takes the form's place (its own password field), then the same change is sent again.
  if (stepUp.panel) return stepUp.panel;
  return (
    <form method="post" ref={formRef} onSubmit={onSubmit} className="max-w-md space-y-4" noValidate>
      {result && !result.ok && <Alert>{result.error}</Alert>}
      <NewPasswordFields username={username} errors={fieldErrors} confirmLabel="Confirm new password" />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Save new password"}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
