"use client";

import { useState, type FormEvent } from "react";
import type { LoginMethod } from "@/lib/auth/login/verification-choices";
import { Button, Field } from "../../_components/ui";
import type { Verification } from "./use-verification";

/** The methods that are a code the user already has; the server checks them at one endpoint. */
export type OneTimeKind = Extract<LoginMethod, "authenticator-app" | "recovery-code" | "temporary-code">;

const COPY: Record<OneTimeKind, { title: string; label: string; hint: string }> = {
  "authenticator-app": { title: "Authenticator app", label: "Authenticator code", hint: "Enter the 6-digit code your authenticator app shows for Gatehouse." },
  "recovery-code": { title: "Recovery code", label: "Recovery code", hint: "Lost your key? Enter one of the recovery codes you saved. Each works once." },
  "temporary-code": { title: "Temporary code", label: "Temporary code", hint: "Enter the temporary verification code your admin gave you." },
};

export function isOneTimeKind(method: LoginMethod | undefined): method is OneTimeKind {
  return method !== undefined && method in COPY;
}

/** An authenticator app's code, a recovery code or an admin's temporary code: one field, checked once. */
export function OneTimeCodeMethod({ kind, verification }: { kind: OneTimeKind; verification: Verification }) {
  const { state, submitCode } = verification;
  const [codeError, setCodeError] = useState<string | undefined>();
  const copy = COPY[kind];

  async function submit(event: FormEvent<HTMLFormElement>) {
    setCodeError(undefined);
    setCodeError(await submitCode(event, { busy: "one-time", url: "/api/verify/one-time-code", fields: { kind } }));
  }

  return (
    <section className="space-y-3">
      <h2 className="text-sm font-semibold text-slate-900">{copy.title}</h2>
      {/* The action answers a post made before JavaScript ran; the script posts JSON itself. */}
      <form method="post" action="/api/verify/one-time-code" onSubmit={submit} className="space-y-3" noValidate>
        <input type="hidden" name="kind" value={kind} />
        <p className="text-sm text-slate-500">{copy.hint}</p>
        <Field
          label={copy.label}
          name="code"
          autoComplete={kind === "authenticator-app" ? "one-time-code" : "off"}
          spellCheck={false}
          maxLength={64}
          required
          autoFocus
          error={codeError}
        />
        <Button type="submit" className="w-full" disabled={state.busy !== null}>
          {state.busy === "one-time" ? "Checking…" : `Verify with ${copy.title.toLowerCase()}`}
        </Button>
      </form>
    </section>
  );
}
