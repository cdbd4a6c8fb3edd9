"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { Alert, Button, Field } from "../../../_components/ui";
import { confirmAuthenticatorAction, disconnectAuthenticatorAction, startAuthenticatorAction } from "./actions";
import { VerifyIdentity } from "./verify-identity";
import { leaveIfSessionEnded } from "../../../_components/api-client";

type Enrolment = { secret: string; uri: string; qrSvg: string };
type Step = { name: "idle" } | { name: "verify"; then: "connect" | "disconnect" } | { name: "scan"; enrolment: Enrolment };

/**
 * Authenticator app: Connect (verify it's you → scan or type the secret → first code) / Disconnect.
 * `locked`: required-MFA enrolment has not proved the mailbox yet, so Connect waits for it.
 */
export function AuthenticatorApp({ connected, locked = false }: { connected: boolean; locked?: boolean }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ name: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  function handle<T>(result: ActionResult<T>, then: "connect" | "disconnect"): T | null {
    if (result.ok) return result.data;
    if (leaveIfSessionEnded(result)) return null;
    if (result.code === "fresh-auth-required") setStep({ name: "verify", then });
    else setError(result.error);
    return null;
  }

  async function connect() {
    setError(null);
    setBusy(true);
    const enrolment = handle(await startAuthenticatorAction({}), "connect");
    setBusy(false);
    if (enrolment) setStep({ name: "scan", enrolment });
  }

  async function disconnect() {
    setError(null);
    setBusy(true);
    const result = await disconnectAuthenticatorAction({});
    if (leaveIfSessionEnded(result)) return;
    setBusy(false);
    if (!result.ok) return void handle(result, "disconnect");
    setStep({ name: "idle" });
    router.refresh();
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setCodeError(undefined);
    const result = await confirmAuthenticatorAction({ code: String(new FormData(event.currentTarget).get("code") ?? "") });
    if (leaveIfSessionEnded(result)) return;
    setBusy(false);
    if (!result.ok) return setCodeError(result.fieldErrors?.code ?? result.error);
    setStep({ name: "idle" });
    router.refresh();
  }

  if (step.name === "verify") {
    return (
      <div className="rounded-xl border border-brand-100 bg-brand-50/40 p-5">
        <VerifyIdentity onVerified={step.then === "connect" ? connect : disconnect} onCancel={() => setStep({ name: "idle" })} />
      </div>
    );
  }
  if (step.name === "scan") {
    return (
      <div className="flex flex-wrap gap-6">
        <div
          role="img"
          aria-label="QR code for your authenticator app"
          className="h-44 w-44 shrink-0 rounded-lg border border-slate-200 bg-white p-2 [&>svg]:h-full [&>svg]:w-full"
          dangerouslySetInnerHTML={{ __html: step.enrolment.qrSvg }}
        />
        <form method="post" onSubmit={confirm} className="min-w-64 flex-1 space-y-3" noValidate>
          <p className="text-sm text-slate-600">Scan the QR code with your authenticator app, or enter this key by hand:</p>
          <p aria-label="Authenticator secret" className="rounded-lg bg-slate-50 px-3 py-2 font-mono text-sm tracking-wide text-slate-900">
            {step.enrolment.secret}
          </p>
          <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} required autoFocus error={codeError} />
          <div className="flex gap-2">
            <Button type="submit" disabled={busy}>
              Connect
            </Button>
            <Button type="button" variant="secondary" onClick={() => setStep({ name: "idle" })}>
              Cancel
            </Button>
          </div>
        </form>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-center justify-between gap-4 text-sm">
      <div>
        {error && <Alert>{error}</Alert>}
        <p className="text-slate-700">{connected ? "Connected." : "Not connected."}</p>
        <p className="text-slate-500">Codes from an app such as Google Authenticator or 1Password verify it's you.</p>
        {locked && <p className="text-slate-500">Confirm your email first.</p>}
      </div>
      {connected ? (
        <Button variant="danger" onClick={disconnect} disabled={busy}>
          Disconnect
        </Button>
      ) : (
        <Button variant="secondary" onClick={connect} disabled={busy || locked} className="disabled:opacity-50">
          Connect
        </Button>
      )}
    </div>
  );
}
