"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field } from "../../../../_components/ui";
import { VerifyIdentity } from "../../../settings/advanced/verify-identity";
import { useStepUp } from "../../../../_components/step-up";
import { issueTemporaryCodeAction, removeUserKeyAction, setUserRoleAction } from "../actions";
import { leaveIfSessionEnded } from "../../../../_components/api-client";
import { CopyButton } from "../../../../_components/copy-button";
import { formatDateTime } from "@/lib/format";

/** "Remove" a user's key: asks for the reason, then removes it (the user is emailed). */
export function RemoveUserKey({ userId, keyId, keyName }: { userId: string; keyId: string; keyName: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const stepUp = useStepUp();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    const reason = String(new FormData(event.currentTarget).get("reason") ?? "");
    const result = await stepUp.run(() => removeUserKeyAction({ userId, keyId, reason }));
    setBusy(false);
    if (!result) return;
    if (!result.ok) return setError({ message: result.error, field: result.fieldErrors?.reason });
    setOpen(false);
    router.refresh();
  }

  if (!open) {
    return (
      <Button variant="danger" aria-label={`Remove ${keyName}`} onClick={() => setOpen(true)}>
        Remove
      </Button>
    );
  }
  return (
    <div>
      <form method="post" onSubmit={onSubmit} className="flex flex-wrap items-end gap-2" noValidate>
        {error && !error.field && <Alert>{error.message}</Alert>}
        <Field label={`Reason for removing ${keyName}`} name="reason" maxLength={200} required autoFocus error={error?.field} placeholder="Reported lost" />
        <Button type="submit" variant="danger" disabled={busy}>
          Remove key
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          Cancel
        </Button>
      </form>
      {stepUp.panel}
    </div>
  );
}

type IssueStep = { name: "form" } | { name: "verify"; hours: number } | { name: "issued"; code: string; expiresAt: string };

/** Issue a temporary verification code: validity 1–24 h; needs the admin's own "verify it's you"; the code is shown once. */
export function IssueTemporaryCode({ userId, userName }: { userId: string; userName: string }) {
  const router = useRouter();
  const [step, setStep] = useState<IssueStep>({ name: "form" });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function issue(hours: number) {
    setBusy(true);
    setError(null);
    const result = await issueTemporaryCodeAction({ userId, hours });
    if (leaveIfSessionEnded(result)) return;
    setBusy(false);
    if (result.ok) {
      setStep({ name: "issued", ...result.data });
      return router.refresh();
    }
    if (result.code === "fresh-auth-required") return setStep({ name: "verify", hours });
    setStep({ name: "form" });
    setError(result.fieldErrors?.hours ?? result.error);
  }

  if (step.name === "verify") {
    return (
      <div className="rounded-xl border border-brand-100 bg-brand-50/40 p-5">
        <VerifyIdentity onVerified={() => issue(step.hours)} onCancel={() => setStep({ name: "form" })} />
      </div>
    );
  }
  if (step.name === "issued") {
    return (
      <div className="space-y-3">
        <Alert tone="success">
          Give this code to {userName} in person or by phone. It works once, until {formatDateTime(step.expiresAt)}, and won't be shown again.
        </Alert>
        <div className="flex flex-wrap items-center gap-3">
          <p aria-label="Temporary verification code" className="rounded-lg bg-slate-50 px-4 py-3 font-mono text-lg tracking-wider text-slate-900">
            {step.code}
          </p>
          <CopyButton text={step.code} />
        </div>
        <Button variant="secondary" onClick={() => setStep({ name: "form" })}>
          Done
        </Button>
      </div>
    );
  }
  return (
    <form
      method="post"
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void issue(Number(new FormData(event.currentTarget).get("hours")));
      }}
    >
      {error && <Alert>{error}</Alert>}
      <div>
        <label htmlFor="temporary-code-hours" className="block text-sm font-medium text-slate-700">
          Valid for
        </label>
        <select id="temporary-code-hours" name="hours" defaultValue="4" className="mt-1 rounded-lg border border-slate-300 px-3 py-2 text-sm">
          {Array.from({ length: 24 }, (_, i) => i + 1).map((h) => (
            <option key={h} value={h}>
              {h} hour{h === 1 ? "" : "s"}
            </option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={busy}>
        Issue temporary code
      </Button>
    </form>
  );
}

/** Role: Admin / Standard, saved after the admin confirms the change (and verifies it's them); audited. */
export function RoleSelect({ userId, userName, role }: { userId: string; userName: string; role: "ADMIN" | "STANDARD" }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const stepUp = useStepUp();
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        <select
          aria-label="Role"
          defaultValue={role}
          disabled={busy}
          className="rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm"
          onChange={async (event) => {
            const select = event.currentTarget;
            const chosen = select.value;
            const question = chosen === "ADMIN" ? `Make ${userName} an admin of this org?` : `Make ${userName} a standard user? They lose access to Setup.`;
            if (!window.confirm(question)) {
              select.value = role;
              return;
            }
            setBusy(true);
            const result = await stepUp.run(() => setUserRoleAction({ userId, role: chosen }));
            setBusy(false);
            if (!result || !result.ok) select.value = role;
            setMessage(
              !result ? null : result.ok ? { ok: true, text: `Role saved: ${chosen === "ADMIN" ? "Admin" : "Standard"}.` } : { ok: false, text: result.error },
            );
            router.refresh();
          }}
        >
          <option value="ADMIN">Admin</option>
          <option value="STANDARD">Standard</option>
        </select>
        {message && (
          <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-600"}`}>
            {message.text}
          </p>
        )}
      </div>
      {stepUp.panel}
    </div>
  );
}
