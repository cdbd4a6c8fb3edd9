"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { AUTHENTICATOR_TYPE_LABELS, FIELD_LABELS, REAUTH_WINDOW_RANGE, TIMEOUT_CHOICES, USER_VERIFICATION_LABELS, timeoutLabel } from "@/lib/policy/rules";
import { CheckboxField, SelectField, TextAreaField } from "../../../_components/form-fields";
import { Alert, Button, Card, Field } from "../../../_components/ui";
import { useStepUp } from "../../../_components/step-up";
import { saveSessionSettingsAction } from "./actions";

export interface SessionSettingsFormValues {
  version: number;
  allowSecurityKeys: boolean;
  requireMfa: boolean;
  mfaRequiredFrom: string;
  allowTotp: boolean;
  requireDeviceActivation: boolean;
  reauthWindowMinutes: string;
  userVerification: string;
  authenticatorType: string;
  allowedAaguids: string;
  blockedAaguids: string;
  sessionTimeoutMinutes: string;
  lockSessionsToIp: boolean;
}

type SaveResult = ActionResult<{ version: number; changed: number }>;

const toOptions = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const timeoutOptions = TIMEOUT_CHOICES.map((minutes) => ({ value: String(minutes), label: timeoutLabel(minutes) }));

/** One form, one Save. It carries the version it was loaded from, so a save over someone else's is refused. */
export function SessionSettingsForm({ initial, keyOnlyUserCount }: { initial: SessionSettingsFormValues; keyOnlyUserCount: number }) {
  const router = useRouter();
  const [result, setResult] = useState<SaveResult | null>(null);
  const [pending, setPending] = useState(false);
  const top = useRef<HTMLDivElement>(null);
  const stepUp = useStepUp();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const turningKeysOff = initial.allowSecurityKeys && !form.get("allowSecurityKeys") && keyOnlyUserCount > 0;
    const who = `${keyOnlyUserCount} user${keyOnlyUserCount === 1 ? "" : "s"}`;
    if (turningKeysOff && !window.confirm(`${who} can only verify their identity with a security key. Turn security keys off anyway?`)) return;
    setPending(true);
    let outcome: SaveResult | null;
    try {
      // Changing the org's policy needs the admin's fresh "verify it's you".
      outcome = await stepUp.run(() => saveSessionSettingsAction(form));
    } catch {
      // A refused action (403) or a lost connection: show the page as the server now sees it.
      outcome = { ok: false, error: "Your changes were not saved. Reload the page and try again." };
    }
    setPending(false);
    if (!outcome) return; // the admin canceled the verification: nothing was sent
    setResult(outcome);
    // Fetches the stored values: after a save, or after someone else's save made ours stale.
    router.refresh();
    top.current?.scrollIntoView({ block: "nearest" });
  }

  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  return (
    <div className="max-w-3xl">
      <form onSubmit={onSubmit} noValidate className="space-y-6">
        <div ref={top}>
          {result?.ok && <Alert tone="success">{result.data.changed === 0 ? "No changes to save." : "Session settings saved."}</Alert>}
          {result && !result.ok && <Alert>{result.error}</Alert>}
        </div>
        {/* Keyed by version: after a refresh with newer settings the fields show the stored values. */}
        <SettingsFields key={initial.version} initial={initial} fieldErrors={fieldErrors} keyOnlyUserCount={keyOnlyUserCount} />
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : "Save"}
          </Button>
        </div>
      </form>
      {stepUp.panel}
    </div>
  );
}

function SettingsFields({
  initial,
  fieldErrors,
  keyOnlyUserCount,
}: {
  initial: SessionSettingsFormValues;
  fieldErrors: Record<string, string>;
  keyOnlyUserCount: number;
}) {
  const [allowKeys, setAllowKeys] = useState(initial.allowSecurityKeys);
  const turningKeysOff = initial.allowSecurityKeys && !allowKeys && keyOnlyUserCount > 0;
  return (
    <>
      <input type="hidden" name="version" value={initial.version} />
      <Card title="Identity verification" description="Which verification methods users may use, and when they must use one.">
        <div className="space-y-5">
          <CheckboxField
            label={FIELD_LABELS.allowSecurityKeys}
            name="allowSecurityKeys"
            checked={allowKeys}
            onChange={(event) => setAllowKeys(event.target.checked)}
            error={fieldErrors.allowSecurityKeys}
            hint="Users register keys in Advanced User Details and use them to log in and to verify new browsers."
          >
            {turningKeysOff && (
              <div className="mt-2">
                <Alert tone="warning">
                  {keyOnlyUserCount} user{keyOnlyUserCount === 1 ? "" : "s"} can only verify their identity with a security key. If you turn this off, they
                  can't verify until they set up another method.
                </Alert>
              </div>
            )}
          </CheckboxField>
          <CheckboxField
            label={FIELD_LABELS.requireMfa}
            name="requireMfa"
            defaultChecked={initial.requireMfa}
            error={fieldErrors.requireMfa}
            hint="Users without a second factor must register one right after entering their password."
          >
            <div className="mt-3 max-w-xs">
              <Field
                label={FIELD_LABELS.mfaRequiredFrom}
                name="mfaRequiredFrom"
                type="date"
                defaultValue={initial.mfaRequiredFrom}
                error={fieldErrors.mfaRequiredFrom}
                hint="Optional grace period: before this day (UTC) users may skip."
              />
            </div>
          </CheckboxField>
          <CheckboxField label={FIELD_LABELS.allowTotp} name="allowTotp" defaultChecked={initial.allowTotp} error={fieldErrors.allowTotp} />
          <CheckboxField
            label={FIELD_LABELS.requireDeviceActivation}
            name="requireDeviceActivation"
            defaultChecked={initial.requireDeviceActivation}
            error={fieldErrors.requireDeviceActivation}
            hint="Users verify their identity when they log in from a browser Gatehouse has not seen before."
          />
          <div className="max-w-md">
            <Field
              label={FIELD_LABELS.reauthWindowMinutes}
              name="reauthWindowMinutes"
              type="number"
              inputMode="numeric"
              min={REAUTH_WINDOW_RANGE.min}
              max={REAUTH_WINDOW_RANGE.max}
              defaultValue={initial.reauthWindowMinutes}
              error={fieldErrors.reauthWindowMinutes}
              hint={`${REAUTH_WINDOW_RANGE.min}–${REAUTH_WINDOW_RANGE.max}. Registering a method asks for the password again after this long.`}
            />
          </div>
        </div>
      </Card>

      {/* Hidden, not removed, while keys are off: the saved key policy is kept as it is. */}
      <div hidden={!allowKeys}>
        <Card title="Security key policy" description="Which security keys users may register.">
          <div className="grid gap-5 sm:grid-cols-2">
            <SelectField
              label={FIELD_LABELS.userVerification}
              name="userVerification"
              defaultValue={initial.userVerification}
              options={toOptions(USER_VERIFICATION_LABELS)}
              error={fieldErrors.userVerification}
              hint={
                <>
                  Whether the key also asks for its PIN or fingerprint, on top of the touch. <strong>Discouraged</strong>: a touch is enough (works with every
                  key, including U2F). <strong>Preferred</strong>: ask for the PIN or fingerprint when the key has one. <strong>Required</strong>: only keys
                  with a PIN or fingerprint, asked every time (older U2F keys can't be used).
                </>
              }
            />
            <SelectField
              label={FIELD_LABELS.authenticatorType}
              name="authenticatorType"
              defaultValue={initial.authenticatorType}
              options={toOptions(AUTHENTICATOR_TYPE_LABELS)}
              error={fieldErrors.authenticatorType}
              hint="Passkeys live in a phone or computer (Touch ID, Windows Hello, Android, iCloud Keychain) instead of a separate key you plug in or tap."
            />
            <TextAreaField
              label={FIELD_LABELS.allowedAaguids}
              name="allowedAaguids"
              rows={4}
              defaultValue={initial.allowedAaguids}
              error={fieldErrors.allowedAaguids}
              placeholder="cb69481e-8ff7-4039-93ec-0a2729a154a8"
              hint="Optional. One AAGUID per line; when set, only these models can be registered and keys must prove their model (attestation)."
            />
            <TextAreaField
              label={FIELD_LABELS.blockedAaguids}
              name="blockedAaguids"
              rows={4}
              defaultValue={initial.blockedAaguids}
              error={fieldErrors.blockedAaguids}
              hint="Optional. One AAGUID per line; these models are refused."
            />
          </div>
        </Card>
      </div>

      <Card title="Sessions" description="How long a logged-in browser stays logged in, and where from.">
        <div className="space-y-5">
          <div className="max-w-xs">
            <SelectField
              label={FIELD_LABELS.sessionTimeoutMinutes}
              name="sessionTimeoutMinutes"
              defaultValue={initial.sessionTimeoutMinutes}
              options={timeoutOptions}
              error={fieldErrors.sessionTimeoutMinutes}
              hint="Users are logged out after this long without activity. Applies to existing sessions too."
            />
          </div>
          <CheckboxField
            label={FIELD_LABELS.lockSessionsToIp}
            name="lockSessionsToIp"
            defaultChecked={initial.lockSessionsToIp}
            error={fieldErrors.lockSessionsToIp}
            hint="A session used from another IP address ends at once; the event is recorded in Setup Audit Trail."
          />
        </div>
      </Card>
    </>
  );
}
