"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field } from "../../../_components/ui";
import { sendEnrolmentCodeAction, verifyEnrolmentCodeAction } from "./actions";
import { leaveIfSessionEnded } from "../../../_components/api-client";

/** Required-MFA enrolment, before a first factor: "Email me a code", then the code proves the mailbox. */
export function ConfirmEmail({ emailHint, codeSent: initiallySent }: { emailHint: string; codeSent: boolean }) {
  const router = useRouter();
  const [codeSent, setCodeSent] = useState(initiallySent);
  const [busy, setBusy] = useState<null | "send" | "confirm">(null);
  const [error, setError] = useState<string | null>(null);
  const [codeError, setCodeError] = useState<string | undefined>();
  const [notice, setNotice] = useState<string | null>(null);

  async function send() {
    setBusy("send");
    setError(null);
    setNotice(null);
    setCodeError(undefined);
    const result = await sendEnrolmentCodeAction({});
    if (leaveIfSessionEnded(result)) return;
    setBusy(null);
    if (!result.ok) return setError(result.error);
    if (codeSent) setNotice(`We sent a new code to ${emailHint}. The previous one no longer works.`);
    setCodeSent(true);
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy("confirm");
    setError(null);
    setCodeError(undefined);
    const result = await verifyEnrolmentCodeAction({ code: String(new FormData(event.currentTarget).get("code") ?? "") });
    if (leaveIfSessionEnded(result)) return;
    if (!result.ok) {
      setBusy(null);
      if (result.fieldErrors?.code) return setCodeError(result.fieldErrors.code);
      return setError(result.error);
    }
    // The page comes back without this card, and Register / Connect work.
    router.refresh();
  }

  return (
    <div className="space-y-4 text-sm">
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {codeSent ? (
        <form method="post" onSubmit={confirm} className="max-w-sm space-y-3" noValidate>
          <p className="text-slate-600">We sent a 6-digit code to {emailHint}. It expires in 10 minutes.</p>
          <Field label="Verification code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={7} required autoFocus error={codeError} />
          <div className="flex gap-2">
            <Button type="submit" disabled={busy !== null}>
              {busy === "confirm" ? "Checking…" : "Confirm"}
            </Button>
            <Button type="button" variant="secondary" onClick={send} disabled={busy !== null}>
              {busy === "send" ? "Sending…" : "Send a new code"}
            </Button>
          </div>
        </form>
      ) : (
        <>
          <p className="text-slate-600">We&apos;ll email a 6-digit code to {emailHint}.</p>
          <Button onClick={send} disabled={busy !== null}>
            {busy === "send" ? "Sending…" : "Email me a code"}
          </Button>
        </>
      )}
    </div>
  );
}
