"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { ActionError } from "@/lib/auth/action";
import { finishLogin } from "../../_components/finish-login";
import { formAction } from "../../_components/form-action";
import { Alert, Button, Field } from "../../_components/ui";
import { completeSignupAction, resendSignupCodeAction, startSignupAction } from "./actions";

type Details = Partial<Record<"orgName" | "slug" | "name" | "email" | "password", string>>;

/**
 * "Create your org" (details), then "Check your email" (the emailed code); the org exists only after the second
 * step. `codeStep` and `notice`: where a post made before JavaScript ran left the user (the page reads it from its
 * URL); there the code step knows no email hint.
 */
export function SignupForm({ codeStep = false, notice: noticeBefore = null }: { codeStep?: boolean; notice?: string | null }) {
  const [details, setDetails] = useState<Details>({});
  const [emailHint, setEmailHint] = useState<string | null>(codeStep ? "" : null);
  const [notice, setNotice] = useState<string | null>(noticeBefore);

  function codeSent(values: Details, hint: string) {
    setDetails(values);
    setEmailHint(hint);
  }

  function startAgain(message: string | null) {
    setEmailHint(null);
    setNotice(message);
  }

  return emailHint !== null ? (
    <CodeStep emailHint={emailHint} orgName={details.orgName ?? ""} refusal={codeStep ? notice : null} onStartAgain={startAgain} />
  ) : (
    <DetailsStep initial={details} notice={notice} onCodeSent={codeSent} />
  );
}

/** "Acme Corp." → "acme-corp": what the URL name becomes unless the user picks one. */
function slugFrom(orgName: string): string {
  return orgName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

function DetailsStep({ initial, notice, onCodeSent }: { initial: Details; notice: string | null; onCodeSent: (values: Details, emailHint: string) => void }) {
  const [error, setError] = useState<ActionError | null>(null);
  const [pending, setPending] = useState(false);
  const [slug, setSlug] = useState(initial.slug ?? "");
  // Follows the org name until the user types a URL name of their own.
  const [slugEdited, setSlugEdited] = useState(Boolean(initial.slug));
  const fieldErrors = error?.fieldErrors ?? {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    const outcome = await startSignupAction(form);
    setPending(false);
    if (!outcome.ok) return setError(outcome);
    onCodeSent(Object.fromEntries([...form.entries()].map(([key, value]) => [key, String(value)])), outcome.data.emailHint);
  }

  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Create your org</h1>
      <p className="mt-1 text-sm text-slate-500">You'll be its first admin. Your email becomes your username.</p>
      <form action={formAction(startSignupAction)} onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
        {error ? <Alert>{error.error}</Alert> : notice && <Alert>{notice}</Alert>}
        <Field
          label="Org name"
          name="orgName"
          required
          defaultValue={initial.orgName}
          error={fieldErrors.orgName}
          autoFocus
          onChange={(event) => {
            if (!slugEdited) setSlug(slugFrom(event.target.value));
          }}
        />
        <Field
          label="URL name"
          name="slug"
          required
          value={slug}
          onChange={(event) => {
            setSlugEdited(true);
            setSlug(event.target.value);
          }}
          error={fieldErrors.slug}
          hint="A short, unique name for your org in Gatehouse, filled in from the org name: lowercase letters, digits and hyphens, e.g. acme-corp. You can change it."
        />
        <Field label="Your name" name="name" required autoComplete="name" defaultValue={initial.name} error={fieldErrors.name} />
        <Field label="Email" name="email" type="email" required autoComplete="email" defaultValue={initial.email} error={fieldErrors.email} />
        <Field
          label="Password"
          name="password"
          type="password"
          required
          autoComplete="new-password"
          defaultValue={initial.password}
          error={fieldErrors.password}
          hint="At least 12 characters."
        />
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Sending your code…" : "Create org"}
        </Button>
      </form>
    </>
  );
}

function CodeStep({
  emailHint,
  orgName,
  refusal,
  onStartAgain,
}: {
  emailHint: string;
  orgName: string;
  refusal: string | null;
  onStartAgain: (message: string | null) => void;
}) {
  const router = useRouter();
  const [error, setError] = useState<ActionError | null>(refusal ? { ok: false, error: refusal } : null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<null | "code" | "send" | "finish">(null);

  function refused(outcome: ActionError) {
    // The pending sign-up is gone (used, out of attempts, another browser's): back to step 1 with the reason.
    if (outcome.code === "signup-expired") return onStartAgain(outcome.error);
    setNotice(null);
    setError(outcome);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy("code");
    setError(null);
    const outcome = await completeSignupAction(new FormData(event.currentTarget));
    if (!outcome.ok) {
      setBusy(null);
      return refused(outcome);
    }
    setBusy("finish");
    const failure = await finishLogin();
    router.replace(failure ? "/login" : "/home");
    router.refresh();
  }

  async function sendNewCode() {
    setBusy("send");
    setError(null);
    const outcome = await resendSignupCodeAction({});
    setBusy(null);
    if (!outcome.ok) return refused(outcome);
    setNotice(`We sent a new code to ${outcome.data.emailHint}. The previous one no longer works.`);
  }

  return (
    <>
      <h1 className="text-xl font-semibold text-slate-900">Check your email</h1>
      <p className="mt-1 text-sm text-slate-500">
        We sent a 6-digit code to {emailHint || "your email"}. Enter it to confirm your email and create {orgName || "your org"}. It expires in 10 minutes.
      </p>
      {busy === "finish" ? (
        <div className="mt-6">
          <Alert tone="info">Your org is ready. Logging you in…</Alert>
        </div>
      ) : (
        <form action={formAction(completeSignupAction)} onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
          {error && <Alert>{error.error}</Alert>}
          {notice && <Alert tone="success">{notice}</Alert>}
          <Field
            label="Verification code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
            autoFocus
            error={error?.fieldErrors?.code}
          />
          <Button type="submit" className="w-full" disabled={busy !== null}>
            {busy === "code" ? "Creating your org…" : "Verify and create org"}
          </Button>
          <div className="flex items-center justify-between text-sm">
            <button type="button" onClick={() => onStartAgain(null)} disabled={busy !== null} className="font-medium text-slate-600 hover:text-slate-900">
              Back
            </button>
            <button type="button" onClick={sendNewCode} disabled={busy !== null} className="font-medium text-brand-600 hover:text-brand-700">
              {busy === "send" ? "Sending…" : "Send a new code"}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
