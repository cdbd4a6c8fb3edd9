"use client";

import { useState, type FormEvent } from "react";
import { postJson } from "../../_components/api-client";
import { Button, Field } from "../../_components/ui";
import type { Verification } from "./use-verification";

/** "Email a code": send a code to the user's address, then enter it; a resend replaces it. */
export function EmailCodeMethod({ emailHint, verification }: { emailHint: string | null; verification: Verification }) {
  const { state, dispatch, refused, submitCode } = verification;
  const [codeError, setCodeError] = useState<string | undefined>();

  async function sendCode() {
    const resend = state.emailCodeSent;
    dispatch({ type: "start", busy: "send", clearNotice: true });
    setCodeError(undefined);
    const result = await postJson("/api/verify/email-code/send");
    if (!result.ok) return refused(result);
    // A resend replaces the code: say so, so the user reads the newest email.
    dispatch({ type: "email-code-sent", notice: resend ? `We sent a new code to ${emailHint}. The previous one no longer works.` : null });
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    setCodeError(undefined);
    setCodeError(await submitCode(event, { busy: "code", url: "/api/verify/email-code", clearNotice: true }));
  }

  return (
    <section className="space-y-3">
      <h2 className="text-sm font-semibold text-slate-900">Email a code</h2>
      {state.emailCodeSent ? (
        // The actions answer posts made before JavaScript ran; the script posts JSON itself.
        <form method="post" action="/api/verify/email-code" onSubmit={submit} className="space-y-3" noValidate>
          <p className="text-sm text-slate-500">We sent a 6-digit code to {emailHint}. It expires in 10 minutes.</p>
          <Field label="Verification code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} required autoFocus error={codeError} />
          <div className="flex gap-2">
            <Button type="submit" disabled={state.busy !== null}>
              {state.busy === "code" ? "Checking…" : "Verify"}
            </Button>
            <Button type="button" variant="secondary" onClick={sendCode} disabled={state.busy !== null}>
              Send a new code
            </Button>
          </div>
        </form>
      ) : (
        <form
          method="post"
          action="/api/verify/email-code/send"
          onSubmit={(event) => {
            event.preventDefault();
            void sendCode();
          }}
          className="space-y-3"
        >
          <p className="text-sm text-slate-500">We'll send a 6-digit code to {emailHint}.</p>
          <Button type="submit" disabled={state.busy !== null} className="w-full">
            {state.busy === "send" ? "Sending…" : "Email me a code"}
          </Button>
        </form>
      )}
    </section>
  );
}
