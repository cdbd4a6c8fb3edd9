"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { postJson } from "../../_components/api-client";
import { finishLogin } from "../../_components/finish-login";
import { Alert, Button, Field } from "../../_components/ui";

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setFieldErrors({});
    const result = await postJson<{ next: "verify" | "complete"; signedIn?: boolean }>("/api/login", {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    if (!result.ok) {
      setPending(false);
      setFieldErrors(result.fieldErrors ?? {});
      return setError(result.error);
    }
    if (result.data.next === "verify") return router.push("/verify");
    // The password was all this login needed, and its answer started the session.
    const failure = result.data.signedIn ? null : await finishLogin();
    if (failure) {
      setPending(false);
      return setError(failure);
    }
    router.replace("/home");
    router.refresh();
  }

  return (
    // method and action: a submission before this script runs posts to the password step, which redirects; nothing typed lands in a URL.
    <form method="post" action="/api/login" onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field label="Username" name="username" type="email" autoComplete="username" required autoFocus error={fieldErrors.username} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required error={fieldErrors.password} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Logging in…" : "Log in"}
      </Button>
    </form>
  );
}
