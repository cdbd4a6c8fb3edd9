"use client";

import { startRegistration, type PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/browser";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { Alert, Button, Field } from "../../../_components/ui";
import { renameKeyAction } from "./actions";
import { ceremonyErrorMessage, postJson, leaveIfSessionEnded } from "../../../_components/api-client";
import { VerifyIdentity } from "./verify-identity";
import { KeyPrompt } from "../../../_components/key-prompt";

type Step =
  | { name: "verify" }
  | { name: "touch"; deadline: number }
  | { name: "naming"; keyId: string; suggested: string; model: string | null }
  | { name: "done"; keyName: string };

/** Register → (verify it's you) → insert and touch → name it → registered. */
export function RegisterKey({ onClose }: { onClose: () => void }) {
  const router = useRouter();
  const [step, setStep] = useState<Step | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canceled = useRef(false);

  async function begin() {
    setError(null);
    const options = await postJson<PublicKeyCredentialCreationOptionsJSON>("/api/webauthn/register/options");
    if (!options.ok) {
      if (options.code === "fresh-auth-required") return setStep({ name: "verify" });
      setStep(null);
      return setError(options.error);
    }
    const timeout = options.data.timeout ?? 120_000;
    canceled.current = false;
    setStep({ name: "touch", deadline: Date.now() + timeout });
    let response;
    try {
      response = await startRegistration({ optionsJSON: options.data });
    } catch (e) {
      if (canceled.current) return;
      setStep(null);
      return setError(ceremonyErrorMessage(e));
    }
    const result = await postJson<{ id: string; name: string; model: string | null }>("/api/webauthn/register/verify", { response });
    if (!result.ok) {
      setStep(null);
      return setError(result.error);
    }
    setStep({ name: "naming", keyId: result.data.id, suggested: result.data.name, model: result.data.model });
  }

  // Start as soon as the dialog opens.
  useEffect(() => {
    void begin();
  }, []);

  function finish() {
    router.refresh();
    onClose();
  }

  return (
    <div className="space-y-4 rounded-xl border border-brand-100 bg-brand-50/40 p-5">
      {error && (
        <>
          <Alert>{error}</Alert>
          <div className="flex gap-2">
            <Button onClick={begin}>Try again</Button>
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
          </div>
        </>
      )}
      {!error && step?.name === "verify" && <VerifyIdentity onVerified={begin} onCancel={onClose} />}
      {!error && step?.name === "touch" && (
        <KeyPrompt
          deadline={step.deadline}
          onCancel={() => {
            canceled.current = true;
            onClose();
          }}
        />
      )}
      {!error && step?.name === "naming" && (
        <NameKey keyId={step.keyId} suggested={step.suggested} model={step.model} onNamed={(keyName) => setStep({ name: "done", keyName })} />
      )}
      {!error && step?.name === "done" && (
        <div className="space-y-3">
          <h3 className="text-base font-semibold text-emerald-800">Security key registered</h3>
          <p className="text-sm text-slate-600">“{step.keyName}” can now verify your identity. We've emailed you about this change.</p>
          <Button onClick={finish}>Continue</Button>
        </div>
      )}
      {!error && step === null && <p className="text-sm text-slate-500">Preparing your security key request…</p>}
    </div>
  );
}

function NameKey({ keyId, suggested, model, onNamed }: { keyId: string; suggested: string; model: string | null; onNamed: (name: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setPending(true);
    const result = await renameKeyAction({ keyId, name });
    if (leaveIfSessionEnded(result)) return;
    setPending(false);
    if (!result.ok) return setError(result.fieldErrors?.name ?? result.error);
    onNamed(name.trim());
  }
  return (
    <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
      <div>
        <h3 className="text-base font-semibold text-slate-900">Name your key</h3>
        <p className="mt-1 text-sm text-slate-500">{model ? `We recognised a ${model}.` : "Give it a name you'll recognise later."}</p>
      </div>
      <Field label="Key name" name="name" defaultValue={suggested} maxLength={64} required autoFocus error={error ?? undefined} />
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}
