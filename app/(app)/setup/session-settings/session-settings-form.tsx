"use client";

import { useState } from "react";
import { FIELD_LABELS, REAUTH_WINDOW_RANGE, TIMEOUT_CHOICES, timeoutLabel, type RegisteredKeyModel } from "@/lib/policy/rules";
import { CheckboxField, SelectField } from "../../../_components/form-fields";
import { Alert, Button, ButtonLink, Card, Field } from "../../../_components/ui";
import { MfaRequirementField } from "./mfa-requirement-field";
import type { KnownModel } from "./model-list-field";
import { RoleRequirementsCard, type RequirementRole } from "./role-requirements-card";
import { SecurityKeyPolicyCard } from "./security-key-policy-card";
import { useSaveSessionSettings } from "./use-save-session-settings";

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
  adminRequirement: string;
  adminRequiredFrom: string;
  standardRequirement: string;
  standardRequiredFrom: string;
  sessionTimeoutMinutes: string;
  lockSessionsToIp: boolean;
}

/** Per role, who has no security key the org accepts ("3 admins have no security key: …"), or null: the server's preview. */
export type RoleNotMet = Record<RequirementRole, string | null>;

const timeoutOptions = TIMEOUT_CHOICES.map((minutes) => ({ value: String(minutes), label: timeoutLabel(minutes) }));

/** One form, one Save. It carries the version it was loaded from, so a save over someone else's is refused. */
export function SessionSettingsForm({
  initial,
  keyOnlyUserCount,
  usersWithoutSecondFactor,
  models,
  keyModels,
  roleNotMet,
}: {
  initial: SessionSettingsFormValues;
  keyOnlyUserCount: number;
  usersWithoutSecondFactor: number;
  models: readonly KnownModel[];
  keyModels: readonly RegisteredKeyModel[];
  roleNotMet: RoleNotMet;
}) {
  const { result, pending, top, onSubmit, stepUpPanel, keyRuleSaved } = useSaveSessionSettings();

  const fieldErrors = result && !result.ok ? (result.fieldErrors ?? {}) : {};
  const mustEnrol = result?.ok === true && result.data.enrolmentDue;
  return (
    <div className="max-w-3xl">
      <form method="post" onSubmit={onSubmit} noValidate className="space-y-6">
        <div ref={top}>
          {result?.ok && <Alert tone="success">{result.data.changed === 0 ? "No changes to save." : "Session settings saved."}</Alert>}
          {result && !result.ok && <Alert>{result.error}</Alert>}
          {mustEnrol && <EnrolNext keyRequired={keyRuleSaved} />}
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
              roleNotMet={roleNotMet}
            />
            <div className="flex items-center gap-3">
              <Button type="submit" disabled={pending}>
                {pending ? "Saving…" : "Save"}
              </Button>
            </div>
          </>
        )}
      </form>
      {stepUpPanel}
    </div>
  );
}

/** After "saved", when the save requires MFA of the admin who has no second factor: their way on, instead of the form they can no longer use. */
function EnrolNext({ keyRequired }: { keyRequired: boolean }) {
  return (
    <div className="mt-4 space-y-4">
      {keyRequired ? (
        <Alert tone="warning">Your role now requires a security key, and you have none your org accepts: register one before you do anything else.</Alert>
      ) : (
        <Alert tone="warning">
          Multi-factor authentication is now required, and you have no second factor yet: register a security key or connect an authenticator app before you do
          anything else.
        </Alert>
      )}
      <ButtonLink href="/settings/advanced?enrol=mfa">{keyRequired ? "Register a security key" : "Set up your second factor"}</ButtonLink>
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
  roleNotMet,
}: {
  initial: SessionSettingsFormValues;
  fieldErrors: Record<string, string>;
  keyOnlyUserCount: number;
  usersWithoutSecondFactor: number;
  models: readonly KnownModel[];
  keyModels: readonly RegisteredKeyModel[];
  roleNotMet: RoleNotMet;
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
        <SecurityKeyPolicyCard initial={initial} fieldErrors={fieldErrors} models={models} keyModels={keyModels} />
      </div>

      <RoleRequirementsCard
        initial={{
          admin: { requirement: initial.adminRequirement, requiredFrom: initial.adminRequiredFrom },
          standard: { requirement: initial.standardRequirement, requiredFrom: initial.standardRequiredFrom },
        }}
        fieldErrors={fieldErrors}
        notMet={roleNotMet}
      />

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
