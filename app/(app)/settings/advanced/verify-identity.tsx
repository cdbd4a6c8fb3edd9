"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field } from "../../../_components/ui";
import { ceremonyErrorMessage, postJson } from "../../../_components/api-client";

type ReauthStep = { next: "done" } | { next: "security-key"; options: PublicKeyCredentialRequestOptionsJSON } | { next: "authenticator-app"; token: string };

/** "For security purposes, verify it's you": password, then a registered key when the user has one. */
export function VerifyIdentity({ onVerified, onCancel }: { onVerified: () => void; onCancel: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [keyOptions, setKeyOptions] = useState<PublicKeyCredentialRequestOptionsJSON | null>(null);
  const [appToken, setAppToken] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();

  async function submitAppCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setCodeError(undefined);
    const result = await postJson("/api/reauth/app", { token: appToken, code: new FormData(event.currentTarget).get("code") });
    setPending(false);
    if (result.ok) return onVerified();
    // The token is single use: a wrong code means starting again from the password.
    setAppToken(null);
    setCodeError(result.fieldErrors?.code);
    setError(result.error);
  }

  async function verifyWithKey(options: PublicKeyCredentialRequestOptionsJSON) {
    setPending(true);
    setError(null);
    try {
      const response = await startAuthentication({ optionsJSON: options });
      const result = await postJson("/api/reauth/key", { response });
      if (result.ok) return onVerified();
      setError(result.error);
    } catch (e) {
      setError(ceremonyErrorMessage(e));
    }
    setPending(false);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const result = await postJson<ReauthStep>("/api/reauth/password", { password: new FormData(event.currentTarget).get("password") });
    setPending(false);
    if (!result.ok) return setError(result.fieldErrors?.password ?? result.error);
    if (result.data.next === "done") return onVerified();
    if (result.data.next === "authenticator-app") return setAppToken(result.data.token);
    setKeyOptions(result.data.options);
    await verifyWithKey(result.data.options);
  }

  return (
    <div className="space-y-4">
      <div>
        <h3 className="text-base font-semibold text-slate-900">For security purposes, verify it's you</h3>
        <p className="mt-1 text-sm text-slate-500">
          {appToken
            ? "Now enter the code from your authenticator app."
            : keyOptions
              ? "Now insert one of your registered security keys and touch it."
              : "Enter your password to continue."}
        </p>
      </div>
      {error && <Alert>{error}</Alert>}
      {appToken ? (
        <form method="post" onSubmit={submitAppCode} className="space-y-4" noValidate>
          <Field
            label="Code from your authenticator app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            autoFocus
            error={codeError}
          />
          <div className="flex gap-2">
            <Button type="submit" disabled={pending}>
              {pending ? "Checking…" : "Verify"}
            </Button>
            <Button type="button" variant="secondary" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </form>
      ) : keyOptions ? (
        <div className="flex gap-2">
          <Button onClick={() => verifyWithKey(keyOptions)} disabled={pending}>
            {pending ? "Waiting for your key…" : "Use my security key"}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      ) : (
        <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
          <Field label="Password" name="password" type="password" autoComplete="current-password" required autoFocus />
          <div className="flex gap-2">
            <Button type="submit" disabled={pending}>
              {pending ? "Checking…" : "Verify"}
            </Button>
            <Button type="button" variant="secondary" onClick={onCancel}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
