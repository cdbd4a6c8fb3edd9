"use client";

import { useState } from "react";
import { FIELD_LABELS } from "@/lib/policy/rules";
import { CheckboxField } from "../../../_components/form-fields";
import { Alert, Field } from "../../../_components/ui";

/** Today as the date input writes it (UTC, like "MFA required from"). */
const todayUtc = () => new Date().toISOString().slice(0, 10);

/** Whether these values make MFA required now: on, and no date or a date that has come. */
export function mfaRequiredNow(requireMfa: boolean, from: string, today = todayUtc()): boolean {
  return requireMfa && (from === "" || from <= today);
}

/** The sentence a save that requires MFA at once shows first, or null when it does not (or did already). */
export function mfaAtOnceWarning(
  initial: { requireMfa: boolean; mfaRequiredFrom: string },
  next: { requireMfa: boolean; mfaRequiredFrom: string },
  usersWithoutSecondFactor: number,
): string | null {
  if (!mfaRequiredNow(next.requireMfa, next.mfaRequiredFrom) || mfaRequiredNow(initial.requireMfa, initial.mfaRequiredFrom)) return null;
  const who =
    usersWithoutSecondFactor === 0
      ? "Every active user already has a second factor."
      : `${usersWithoutSecondFactor} active user${usersWithoutSecondFactor === 1 ? " has" : "s have"} no second factor yet and must register one at their next login.`;
  return `MFA will be required at once${next.mfaRequiredFrom ? ` (${next.mfaRequiredFrom} is today or past)` : ""}. ${who}`;
}

/** "Require multi-factor authentication…" with its "MFA required from" date, and what saving them would do at once. */
export function MfaRequirementField({
  initial,
  fieldErrors,
  usersWithoutSecondFactor,
}: {
  initial: { requireMfa: boolean; mfaRequiredFrom: string };
  fieldErrors: Record<string, string>;
  usersWithoutSecondFactor: number;
}) {
  const [requireMfa, setRequireMfa] = useState(initial.requireMfa);
  const [from, setFrom] = useState(initial.mfaRequiredFrom);
  const warning = mfaAtOnceWarning(initial, { requireMfa, mfaRequiredFrom: from }, usersWithoutSecondFactor);
  return (
    <CheckboxField
      label={FIELD_LABELS.requireMfa}
      name="requireMfa"
      checked={requireMfa}
      onChange={(event) => setRequireMfa(event.target.checked)}
      error={fieldErrors.requireMfa}
      hint="Users without a second factor must register one right after entering their password."
    >
      <div className="mt-3 max-w-xs">
        <Field
          label={FIELD_LABELS.mfaRequiredFrom}
          name="mfaRequiredFrom"
          type="date"
          value={from}
          onChange={(event) => setFrom(event.target.value)}
          error={fieldErrors.mfaRequiredFrom}
          hint="Optional grace period: before this day (UTC) users may skip."
        />
      </div>
      {warning && (
        <div className="mt-3">
          <Alert tone="warning">{warning}</Alert>
        </div>
      )}
    </CheckboxField>
  );
}
