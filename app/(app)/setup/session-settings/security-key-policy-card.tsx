"use client";

import { useState } from "react";
import {
  AUTHENTICATOR_TYPE_LABELS,
  FIELD_LABELS,
  USER_VERIFICATION_LABELS,
  keysRefusedUnder,
  type AuthenticatorType,
  type RegisteredKeyModel,
} from "@/lib/policy/rules";
import { CheckboxField, SelectField } from "../../../_components/form-fields";
import { Alert, Card } from "../../../_components/ui";
import { ModelListField, aaguidsIn, type KnownModel } from "./model-list-field";
import type { SessionSettingsFormValues } from "./session-settings-form";

const toOptions = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));

interface KeyPolicyFields {
  allowed: string;
  blocked: string;
  type: string;
  verified: boolean;
}

/** Keys a form's key policy would refuse at their next use, beyond those the saved policy already refuses. */
export function newlyRefusedKeys(initial: SessionSettingsFormValues, form: KeyPolicyFields, keys: readonly RegisteredKeyModel[]): number {
  const refused = ({ allowed, blocked, type, verified }: KeyPolicyFields) =>
    keysRefusedUnder(
      { allowedAaguids: aaguidsIn(allowed), blockedAaguids: aaguidsIn(blocked), authenticatorType: type as AuthenticatorType, requireVerifiedModels: verified },
      keys,
    );
  const saved = { allowed: initial.allowedAaguids, blocked: initial.blockedAaguids, type: initial.authenticatorType, verified: initial.requireVerifiedModels };
  return Math.max(0, refused(form) - refused(saved));
}

export const keysWord = (n: number) => `${n} registered key${n === 1 ? "" : "s"}`;

/** Which security keys users may register, and how many registered keys the edited policy would stop. */
export function SecurityKeyPolicyCard({
  initial,
  fieldErrors,
  models,
  keyModels,
}: {
  initial: SessionSettingsFormValues;
  fieldErrors: Record<string, string>;
  models: readonly KnownModel[];
  keyModels: readonly RegisteredKeyModel[];
}) {
  const [allowed, setAllowed] = useState(initial.allowedAaguids);
  const [blocked, setBlocked] = useState(initial.blockedAaguids);
  const [type, setType] = useState(initial.authenticatorType);
  const [verified, setVerified] = useState(initial.requireVerifiedModels);
  const stopping = newlyRefusedKeys(initial, { allowed, blocked, type, verified }, keyModels);
  const listSet = aaguidsIn(allowed).length > 0 || aaguidsIn(blocked).length > 0;
  return (
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
              Whether the key also asks for its PIN or fingerprint, on top of the touch. <strong>Discouraged</strong>: a touch is enough (works with every key,
              including U2F). <strong>Preferred</strong>: ask for the PIN or fingerprint when the key has one. <strong>Required</strong>: only keys with a PIN
              or fingerprint, asked every time (older U2F keys can't be used).
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
  );
}
