"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import {
  AUTHENTICATOR_TYPE_LABELS,
  FIELD_LABELS,
  REAUTH_WINDOW_RANGE,
  TIMEOUT_CHOICES,
  USER_VERIFICATION_LABELS,
  keysRefusedUnder,
  timeoutLabel,
  type AuthenticatorType,
  type RegisteredKeyModel,
} from "@/lib/policy/rules";
import { CheckboxField, SelectField } from "../../../_components/form-fields";
import { Alert, Button, ButtonLink, Card, Field } from "../../../_components/ui";
import { useStepUp } from "../../../_components/step-up";
import { saveSessionSettingsAction } from "./actions";
import { MfaRequirementField, mfaAtOnceWarning } from "./mfa-requirement-field";
import { ModelListField, aaguidsIn, type KnownModel } from "./model-list-field";

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
  requireVerifiedModels: boolean;
  allowedAaguids: string;
  blockedAaguids: string;
  sessionTimeoutMinutes: string;
  lockSessionsToIp: boolean;
}

/** `enrolmentDue`: the save made MFA required at once and the admin who saved has no second factor. */
type SaveResult = ActionResult<{ version: number; changed: number; enrolmentDue: boolean }>;

const toOptions = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
const timeoutOptions = TIMEOUT_CHOICES.map((minutes) => ({ value: String(minutes), label: timeoutLabel(minutes) }));

interface KeyPolicyFields {
  allowed: string;
  blocked: string;
  type: string;
  verified: boolean;
}

/** Keys a form's key policy would refuse at their next use, beyond those the saved policy already refuses. */
function newlyRefusedKeys(initial: SessionSettingsFormValues, form: KeyPolicyFields, keys: readonly RegisteredKeyModel[]): number {
  const refused = ({ allowed, blocked, type, verified }: KeyPolicyFields) =>
    keysRefusedUnder(
      { allowedAaguids: aaguidsIn(allowed), blockedAaguids: aaguidsIn(blocked), authenticatorType: type as AuthenticatorType, requireVerifiedModels: verified },
      keys,
    );
  const saved = { allowed: initial.allowedAaguids, blocked: initial.blockedAaguids, type: initial.authenticatorType, verified: initial.requireVerifiedModels };
  return Math.max(0, refused(form) - refused(saved));
}

const keysWord = (n: number) => `${n} registered key${n === 1 ? "" : "s"}`;

/** One form, one Save. It carries the version it was loaded from, so a save over someone else's is refused. */
export function SessionSettingsForm({
  initial,
  keyOnlyUserCount,
  usersWithoutSecondFactor,
  models,
  keyModels,
}: {
  initial: SessionSettingsFormValues;
  keyOnlyUserCount: number;
  usersWithoutSecondFactor: number;
  models: readonly KnownModel[];
  keyModels: readonly RegisteredKeyModel[];
}) {
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
    const stopping = form.get("allowSecurityKeys")
      ? newlyRefusedKeys(
          initial,
          {
            allowed: String(form.get("allowedAaguids") ?? ""),
            blocked: String(form.get("blockedAaguids") ?? ""),
            type: String(form.get("authenticatorType")),
            verified: Boolean(form.get("requireVerifiedModels")),
          },
          keyModels,
        )
      : 0;
    if (stopping > 0 && !window.confirm(`${keysWord(stopping)} would stop working with these security key settings. Save anyway?`)) return;
    const atOnce = mfaAtOnceWarning(
      initial,
      { requireMfa: Boolean(form.get("requireMfa")), mfaRequiredFrom: String(form.get("mfaRequiredFrom") ?? "") },
      usersWithoutSecondFactor,
    );
    if (atOnce && !window.confirm(`${atOnce} Save anyway?`)) return;
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
    top.current?.scrollIntoView({ block: "nearest" });
    // Saved, and now the admin must enrol: no refresh, which would send them to enrolment before they read that it saved.
    if (outcome.ok && outcome.data.enrolmentDue) return;
    // Fetches the stored values: after a save, or after someone else's save made ours stale.
    router.refresh();
  }

  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const mustEnrol = result?.ok === true && result.data.enrolmentDue;
  return (
    <div className="max-w-3xl">
      <form method="post" onSubmit={onSubmit} noValidate className="space-y-6">
        <div ref={top}>
          {result?.ok && <Alert tone="success">{result.data.changed === 0 ? "No changes to save." : "Session settings saved."}</Alert>}
          {result && !result.ok && <Alert>{result.error}</Alert>}
          {mustEnrol && <EnrolNext />}
        </div>
        {!mustEnrol && (
          <>
            {/* Keyed by version: after a refresh with newer settings the fields show the stored values. */}
            <SettingsFields
              key={initial.version}
              initial={initial}
              fieldErrors={fieldErrors}
              keyOnlyUserCount={keyOnlyUserCount}
              usersWithoutSecondFactor={usersWithoutSecondFactor}
              models={models}
              keyModels={keyModels}
            />
            <div className="flex items-center gap-3">
              <Button type="submit" disabled={pending}>
                {pending ? "Saving…" : "Save"}
              </Button>
            </div>
          </>
        )}
      </form>
      {stepUp.panel}
    </div>
  );
}

/** After "saved", when the save requires MFA of the admin who has no second factor: their way on, instead of the form they can no longer use. */
function EnrolNext() {
  return (
    <div className="mt-4 space-y-4">
      <Alert tone="warning">
        Multi-factor authentication is now required, and you have no second factor yet: register a security key or connect an authenticator app before you do
        anything else.
      </Alert>
      <ButtonLink href="/settings/advanced?enrol=mfa">Set up your second factor</ButtonLink>
    </div>
  );
}

function SettingsFields({
  initial,
  fieldErrors,
  keyOnlyUserCount,
  usersWithoutSecondFactor,
  models,
  keyModels,
}: {
  initial: SessionSettingsFormValues;
  fieldErrors: Record<string, string>;
  keyOnlyUserCount: number;
  usersWithoutSecondFactor: number;
  models: readonly KnownModel[];
  keyModels: readonly RegisteredKeyModel[];
}) {
  const [allowKeys, setAllowKeys] = useState(initial.allowSecurityKeys);
  const [allowed, setAllowed] = useState(initial.allowedAaguids);
  const [blocked, setBlocked] = useState(initial.blockedAaguids);
  const [type, setType] = useState(initial.authenticatorType);
  const [verified, setVerified] = useState(initial.requireVerifiedModels);
  const stopping = newlyRefusedKeys(initial, { allowed, blocked, type, verified }, keyModels);
  const listSet = aaguidsIn(allowed).length > 0 || aaguidsIn(blocked).length > 0;
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
          <MfaRequirementField initial={initial} fieldErrors={fieldErrors} usersWithoutSecondFactor={usersWithoutSecondFactor} />
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
              value={type}
              onChange={(event) => setType(event.target.value)}
              options={toOptions(AUTHENTICATOR_TYPE_LABELS)}
              error={fieldErrors.authenticatorType}
              hint="Physical keys only: synced passkeys and keys built into a phone or computer (Touch ID, Windows Hello, Android, iCloud Keychain) are refused, going by what the key and the browser report. To require proof of a key's model, also accept only verified key models."
            />
            <div className="sm:col-span-2">
              <CheckboxField
                label={FIELD_LABELS.requireVerifiedModels}
                name="requireVerifiedModels"
                checked={verified}
                onChange={(event) => setVerified(event.target.checked)}
                error={fieldErrors.requireVerifiedModels}
                hint={
                  listSet
                    ? "Always applies while a model list below is set: a list means nothing unless the key proves which model it is."
                    : "Off: a security key of any maker registers, its model shown as claimed by the key. On: only keys whose certificate chains to a trusted maker's root (a verified model) register or verify."
                }
              />
            </div>
            <ModelListField
              label={FIELD_LABELS.allowedAaguids}
              name="allowedAaguids"
              value={allowed}
              onChange={setAllowed}
              models={models}
              error={fieldErrors.allowedAaguids}
              hint="Optional. One AAGUID per line, or search by name. When set, only these models work, and only keys that prove their model."
            />
            <ModelListField
              label={FIELD_LABELS.blockedAaguids}
              name="blockedAaguids"
              value={blocked}
              onChange={setBlocked}
              models={models}
              error={fieldErrors.blockedAaguids}
              hint="Optional. One AAGUID per line, or search by name. These models stop working at once, even keys already registered."
            />
          </div>
          {stopping > 0 && (
            <div className="mt-4">
              <Alert tone="warning">
                {keysWord(stopping)} would stop working with these settings: their users will have to verify another way or register an accepted key.
              </Alert>
            </div>
          )}
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
