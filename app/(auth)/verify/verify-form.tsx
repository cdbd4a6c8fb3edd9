"use client";

import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import type { LoginMethod } from "@/lib/auth/login-verification";
import { ceremonyErrorMessage, postJson } from "../../_components/api-client";
import { finishLogin } from "../../_components/finish-login";
import { Alert, Button, Field } from "../../_components/ui";

type OneTimeKind = "authenticator-app" | "recovery-code" | "temporary-code";
const ONE_TIME_KINDS: OneTimeKind[] = ["authenticator-app", "recovery-code", "temporary-code"];
const ONE_TIME_COPY: Record<OneTimeKind, { title: string; hint: string }> = {
  "authenticator-app": { title: "Authenticator app", hint: "Enter the 6-digit code your authenticator app shows for Gatehouse." },
  "recovery-code": { title: "Recovery code", hint: "Lost your key? Enter one of the recovery codes you saved. Each works once." },
  "temporary-code": { title: "Temporary code", hint: "Enter the temporary verification code your admin gave you." },
};

type Props = { methods: LoginMethod[]; emailHint: string | null; emailCodeSent: boolean; verified: boolean };

/** "Verify your identity": a security key first, then recovery and temporary codes, then (device activation only) an emailed code. */
export function VerifyForm({ methods, emailHint, emailCodeSent, verified }: Props) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState<null | "key" | "send" | "code" | "one-time" | "finish">(null);
  const [oneTimeErrors, setOneTimeErrors] = useState<Partial<Record<OneTimeKind, string>>>({});
  const [codeSent, setCodeSent] = useState(emailCodeSent);

  async function finish() {
    setBusy("finish");
    const failure = await finishLogin();
    if (failure) {
      setBusy(null);
      setExpired(true);
      return setError(failure);
    }
    router.replace("/home");
    router.refresh();
  }

  // A verification that succeeded just before a reload only needs finishing.
  useEffect(() => {
    if (verified) void finish();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [verified]);

  function refused(result: { error: string; code?: string; fieldErrors?: Record<string, string> }) {
    if (result.code === "login-expired") setExpired(true);
    setError(result.error);
  }

  async function useKey() {
    setBusy("key");
    setError(null);
    const options = await postJson<{ options: PublicKeyCredentialRequestOptionsJSON }>("/api/verify/key/options");
    if (!options.ok) {
      setBusy(null);
      return refused(options);
    }
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.data.options });
    } catch (e) {
      setBusy(null);
      return setError(ceremonyErrorMessage(e));
    }
    const result = await postJson<{ signedIn?: boolean }>("/api/verify/key", { response });
    if (!result.ok) {
      setBusy(null);
      return refused(result);
    }
    // The key's answer already started the session: only the navigation is left.
    if (!result.data.signedIn) return finish();
    router.replace("/home");
    router.refresh();
  }

  async function sendCode() {
    setBusy("send");
    setError(null);
    const result = await postJson("/api/verify/email-code/send");
    setBusy(null);
    if (!result.ok) return refused(result);
    setCodeSent(true);
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy("code");
    setError(null);
    setCodeError(undefined);
    const result = await postJson("/api/verify/email-code", { code: String(new FormData(event.currentTarget).get("code") ?? "") });
    if (!result.ok) {
      setBusy(null);
      setCodeError(result.fieldErrors?.code);
      return refused(result);
    }
    await finish();
  }

  async function submitOneTimeCode(kind: OneTimeKind, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy("one-time");
    setError(null);
    setOneTimeErrors({});
    const result = await postJson("/api/verify/one-time-code", { kind, code: String(new FormData(event.currentTarget).get("code") ?? "") });
    if (!result.ok) {
      setBusy(null);
      setOneTimeErrors({ [kind]: result.fieldErrors?.code });
      return refused(result);
    }
    await finish();
  }

  if (expired) {
    return <Alert>{error ?? "Your login expired. Log in again."}</Alert>;
  }
  if (verified || busy === "finish") {
    return <Alert tone="info">Verified. Signing you in…</Alert>;
  }
  if (methods.length === 0) {
    return <Alert>You have no way to verify this login here: your security keys can't be used. Ask an admin of your org for help.</Alert>;
  }

  return (
    <div className="space-y-6">
      {error && <Alert>{error}</Alert>}
      {methods.includes("security-key") && (
        <section className="space-y-3">
          <h2 className="text-sm font-semibold text-slate-900">Security key</h2>
          <p className="text-sm text-slate-500">
            {busy === "key" ? "Insert your security key and touch it." : "Use one of the security keys registered to your account."}
          </p>
          <Button onClick={useKey} disabled={busy !== null} className="w-full">
            {busy === "key" ? "Waiting for your key…" : "Use my security key"}
          </Button>
        </section>
      )}
      {ONE_TIME_KINDS.filter((kind) => methods.includes(kind)).map((kind) => (
        <section key={kind} className="space-y-3 border-t border-slate-100 pt-5 first:border-0 first:pt-0">
          <h2 className="text-sm font-semibold text-slate-900">{ONE_TIME_COPY[kind].title}</h2>
          <form onSubmit={(event) => submitOneTimeCode(kind, event)} className="space-y-3" noValidate>
            <p className="text-sm text-slate-500">{ONE_TIME_COPY[kind].hint}</p>
            <Field
              label={kind === "authenticator-app" ? "Authenticator code" : ONE_TIME_COPY[kind].title}
              name="code"
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              required
              error={oneTimeErrors[kind]}
            />
            <Button type="submit" variant="secondary" disabled={busy !== null}>
              {busy === "one-time" ? "Checking…" : `Verify with ${ONE_TIME_COPY[kind].title.toLowerCase()}`}
            </Button>
          </form>
        </section>
      ))}
      {methods.includes("email-code") && (
        <section className="space-y-3 border-t border-slate-100 pt-5 first:border-0 first:pt-0">
          <h2 className="text-sm font-semibold text-slate-900">Email a code</h2>
          {codeSent ? (
            <form onSubmit={submitCode} className="space-y-3" noValidate>
              <p className="text-sm text-slate-500">We sent a 6-digit code to {emailHint}. It expires in 10 minutes.</p>
              <Field
                label="Verification code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                required
                autoFocus
                error={codeError}
              />
              <div className="flex gap-2">
                <Button type="submit" disabled={busy !== null}>
                  {busy === "code" ? "Checking…" : "Verify"}
                </Button>
                <Button type="button" variant="secondary" onClick={sendCode} disabled={busy !== null}>
                  Send a new code
                </Button>
              </div>
            </form>
          ) : (
            <>
              <p className="text-sm text-slate-500">We'll send a 6-digit code to {emailHint}.</p>
              <Button variant="secondary" onClick={sendCode} disabled={busy !== null}>
                {busy === "send" ? "Sending…" : "Email me a code"}
              </Button>
            </>
          )}
        </section>
      )}
    </div>
  );
}
