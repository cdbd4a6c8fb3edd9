"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { formAction } from "../../../_components/form-action";
import { Alert, Button, NewPasswordFields } from "../../../_components/ui";
import { setPasswordAction } from "./actions";

export function SetPasswordForm({ token, username }: { token: string; username: string }) {
  const router = useRouter();
  const [result, setResult] = useState<ActionResult<{ username: string }> | null>(null);
  const [pending, setPending] = useState(false);
  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    const form = new FormData(event.currentTarget);
    form.set("token", token);
    const outcome = await setPasswordAction(form);
    setResult(outcome);
    if (outcome.ok) {
      router.replace("/login?password-set=1");
      return;
    }
    setPending(false);
  }

  return (
    <form action={formAction(setPasswordAction)} onSubmit={onSubmit} className="space-y-4" noValidate>
      {/* The link's token, for a post made before JavaScript ran (the script adds it itself). */}
      <input type="hidden" name="token" value={token} />
      {result && !result.ok && <Alert>{result.error}</Alert>}
      <NewPasswordFields username={username} errors={fieldErrors} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Saving…" : "Set password"}
      </Button>
    </form>
  );
}
