"use client";

import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import type { LoginMethod } from "@/lib/auth/login-verification";
import { ceremonyErrorMessage, postJson } from "../../_components/api-client";
import { finishLogin } from "../../_components/finish-login";
import { KeyPrompt, keyRequestEnded } from "../../_components/key-prompt";
import { Alert, Button, Field } from "../../_components/ui";

type OneTimeKind = "authenticator-app" | "recovery-code" | "temporary-code";
const ONE_TIME_COPY: Record<OneTimeKind, { title: string; label: string; hint: string }> = {
  "authenticator-app": { title: "Authenticator app", label: "Authenticator code", hint: "Enter the 6-digit code your authenticator app shows for Gatehouse." },
  "recovery-code": { title: "Recovery code", label: "Recovery code", hint: "Lost your key? Enter one of the recovery codes you saved. Each works once." },
  "temporary-code": { title: "Temporary code", label: "Temporary code", hint: "Enter the temporary verification code your admin gave you." },
};
/** How each method is named in "Use another method". */
const METHOD_NAMES: Record<LoginMethod, string> = {
  "security-key": "Security key",
  "authenticator-app": "Authenticator app",
  "recovery-code": "Recovery code",
  "temporary-code": "Temporary code",
  "email-code": "Emailed code",
};

const NOT_REGISTERED = "That security key isn't registered to your account (or the request was canceled). Use a key you registered, or choose another method.";

type Props = { methods: LoginMethod[]; emailHint: string | null; emailCodeSent: boolean; verified: boolean };

/**
 * "Verify your identity": the user's preferred method first (a security key
 * when they have one, in the order `methods` gives), and "Use another method"
 * for the rest.
 */
export function VerifyForm({ methods, emailHint, emailCodeSent, verified }: Props) {
  const router = useRouter();
  const [method, setMethod] = useState<LoginMethod | undefined>(methods[0]);
  const [choosing, setChoosing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState<null | "key" | "send" | "code" | "one-time" | "finish">(null);
  const [keyDeadline, setKeyDeadline] = useState<number | null>(null);
  const canceled = useRef(false);
  const [oneTimeError, setOneTimeError] = useState<string | undefined>();
  const [codeSent, setCodeSent] = useState(emailCodeSent);
  const [notice, setNotice] = useState<string | null>(null);

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

  function choose(next: LoginMethod) {
    setMethod(next);
    setChoosing(false);
    setError(null);
    setOneTimeError(undefined);
    setCodeError(undefined);
  }

  async function useKey() {
    setBusy("key");
    setError(null);
    canceled.current = false;
    const options = await postJson<{ options: PublicKeyCredentialRequestOptionsJSON }>("/api/verify/key/options");
    if (!options.ok) {
      setBusy(null);
      return refused(options);
    }
    const timeout = options.data.options.timeout ?? 120_000;
    const startedAt = Date.now();
    setKeyDeadline(startedAt + timeout);
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.data.options });
    } catch (e) {
      setBusy(null);
      setKeyDeadline(null);
      if (canceled.current) return;
      const ended = keyRequestEnded(e, startedAt, timeout);
      return setError(ended === "not-registered" ? NOT_REGISTERED : ceremonyErrorMessage(e));
    }
    setKeyDeadline(null);
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
    setNotice(null);
    setCodeError(undefined);
    const result = await postJson("/api/verify/email-code/send");
    setBusy(null);
    if (!result.ok) return refused(result);
    // A resend replaces the code: say so, so the user reads the newest email.
    if (codeSent) setNotice(`We sent a new code to ${emailHint}. The previous one no longer works.`);
    setCodeSent(true);
  }

  async function submitCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy("code");
    setError(null);
    setNotice(null);
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
    setOneTimeError(undefined);
    const result = await postJson("/api/verify/one-time-code", { kind, code: String(new FormData(event.currentTarget).get("code") ?? "") });
    if (!result.ok) {
      setBusy(null);
      setOneTimeError(result.fieldErrors?.code);
      return refused(result);
    }
    await finish();
  }

  if (expired) {
    return <Alert>{error ?? "Your login expired. Log in again."}</Alert>;
  }
  if (verified || busy === "finish") {
    return <Alert tone="info">Verified. Logging you in…</Alert>;
  }
  if (!method) {
    return <Alert>You have no way to verify this login here: your security keys can't be used. Ask an admin of your org for help.</Alert>;
  }

  const others = methods.filter((m) => m !== method);
  return (
    <div className="space-y-6">
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {method === "security-key" &&
        (busy === "key" && keyDeadline ? (
          <KeyPrompt
            deadline={keyDeadline}
            onCancel={() => {
              canceled.current = true;
              setBusy(null);
              setKeyDeadline(null);
            }}
          />
        ) : (
          <section className="space-y-3">
            <h2 className="text-sm font-semibold text-slate-900">Security key</h2>
            <p className="text-sm text-slate-500">Use one of the security keys registered to your account.</p>
            <Button onClick={useKey} disabled={busy !== null} className="w-full">
              {busy === "key" ? "Waiting for your key…" : "Use my security key"}
            </Button>
          </section>
        ))}
      {(method === "authenticator-app" || method === "recovery-code" || method === "temporary-code") && (
        <section className="space-y-3">
          <h2 className="text-sm font-semibold text-slate-900">{ONE_TIME_COPY[method].title}</h2>
          <form method="post" key={method} onSubmit={(event) => submitOneTimeCode(method, event)} className="space-y-3" noValidate>
            <p className="text-sm text-slate-500">{ONE_TIME_COPY[method].hint}</p>
            <Field
              label={ONE_TIME_COPY[method].label}
              name="code"
              autoComplete={method === "authenticator-app" ? "one-time-code" : "off"}
              spellCheck={false}
              maxLength={64}
              required
              autoFocus
              error={oneTimeError}
            />
            <Button type="submit" className="w-full" disabled={busy !== null}>
              {busy === "one-time" ? "Checking…" : `Verify with ${ONE_TIME_COPY[method].title.toLowerCase()}`}
            </Button>
          </form>
        </section>
      )}
      {method === "email-code" && (
        <section className="space-y-3">
          <h2 className="text-sm font-semibold text-slate-900">Email a code</h2>
          {codeSent ? (
            <form method="post" onSubmit={submitCode} className="space-y-3" noValidate>
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
              <Button onClick={sendCode} disabled={busy !== null} className="w-full">
                {busy === "send" ? "Sending…" : "Email me a code"}
              </Button>
            </>
          )}
        </section>
      )}
      {others.length > 0 && busy !== "key" && (
        <div className="border-t border-slate-100 pt-4">
          {choosing ? (
            <div className="space-y-2">
              <p className="text-sm font-medium text-slate-700">Choose another method</p>
              <ul className="space-y-2">
                {others.map((other) => (
                  <li key={other}>
                    <Button variant="secondary" className="w-full justify-start" onClick={() => choose(other)}>
                      {METHOD_NAMES[other]}
                    </Button>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <button type="button" onClick={() => setChoosing(true)} className="text-sm font-medium text-brand-600 hover:text-brand-700">
              Use another method
            </button>
          )}
        </div>
      )}
    </div>
  );
}
