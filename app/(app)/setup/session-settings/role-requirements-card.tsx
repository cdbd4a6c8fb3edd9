"use client";

import { useState } from "react";
import { ROLE_REQUIREMENT_LABELS } from "@/lib/policy/rules";
import { SelectField } from "../../../_components/form-fields";
import { Alert, Card, Field } from "../../../_components/ui";

/** Today as the date input writes it (UTC, like "Required from"). */
const todayUtc = () => new Date().toISOString().slice(0, 10);

const requirementOptions = Object.entries(ROLE_REQUIREMENT_LABELS).map(([value, label]) => ({ value, label }));

export type RequirementRole = "admin" | "standard";

export const ROLE_NAMES: Record<RequirementRole, { title: string; plural: string }> = {
  admin: { title: "Admin", plural: "Admins" },
  standard: { title: "Standard", plural: "Standard users" },
};

/** A role's two fields as the form holds them. */
export interface RoleRequirementValues {
  requirement: string;
  requiredFrom: string;
}

/**
 * What saving a role's requirement would do, before it is saved: who of that role has no accepted key (the server's
 * sentence, from roleRequirementWarnings) and whether it applies at once. Null when the save changes nothing for it.
 */
export function roleRequirementWarning(
  role: RequirementRole,
  initial: RoleRequirementValues,
  next: RoleRequirementValues,
  notMet: string | null,
  keyPolicyChanged = false,
  today = todayUtc(),
): string | null {
  if (next.requirement !== "SECURITY_KEY") return null;
  const unchanged = initial.requirement === next.requirement && initial.requiredFrom === next.requiredFrom && !keyPolicyChanged;
  if (unchanged) return null;
  const atOnce = next.requiredFrom === "" || next.requiredFrom <= today;
  const wasInForce = initial.requirement === "SECURITY_KEY" && (initial.requiredFrom === "" || initial.requiredFrom <= today);
  const when = atOnce
    ? wasInForce
      ? ""
      : ` ${ROLE_NAMES[role].plural} must use a security key at once${next.requiredFrom ? ` (${next.requiredFrom} is today or past)` : ""}.`
    : ` ${ROLE_NAMES[role].plural} must use a security key from ${next.requiredFrom} (UTC).`;
  const who = notMet ?? `Every ${role === "admin" ? "admin" : "standard user"} already has a security key.`;
  return `${who}${when}`.trim();
}

/** "Requirements by role": for Admin and Standard, "Required verification" and an optional "Required from". */
export function RoleRequirementsCard({
  initial,
  fieldErrors,
  notMet,
}: {
  initial: Record<RequirementRole, RoleRequirementValues>;
  fieldErrors: Record<string, string>;
  notMet: Record<RequirementRole, string | null>;
}) {
  return (
    <Card
      title="Requirements by role"
      description="A stricter rule for some roles than the org's: a security key only (phishing-resistant), from a date you choose. Recovery codes and temporary codes still work, and alert the admins."
    >
      <div className="grid gap-6 sm:grid-cols-2">
        {(["admin", "standard"] as const).map((role) => (
          <RoleRequirementFields key={role} role={role} initial={initial[role]} fieldErrors={fieldErrors} notMet={notMet[role]} />
        ))}
      </div>
    </Card>
  );
}

function RoleRequirementFields({
  role,
  initial,
  fieldErrors,
  notMet,
}: {
  role: RequirementRole;
  initial: RoleRequirementValues;
  fieldErrors: Record<string, string>;
  notMet: string | null;
}) {
  const [requirement, setRequirement] = useState(initial.requirement);
  const [requiredFrom, setRequiredFrom] = useState(initial.requiredFrom);
  const warning = roleRequirementWarning(role, initial, { requirement, requiredFrom }, notMet);
  return (
    <fieldset className="space-y-4">
      <legend className="text-sm font-semibold text-slate-900">{ROLE_NAMES[role].title}</legend>
      <SelectField
        label="Required verification"
        name={`${role}Requirement`}
        value={requirement}
        onChange={(event) => setRequirement(event.target.value)}
        options={requirementOptions}
        error={fieldErrors[`${role}Requirement`]}
      />
      <Field
        label="Required from"
        name={`${role}RequiredFrom`}
        type="date"
        value={requiredFrom}
        onChange={(event) => setRequiredFrom(event.target.value)}
        error={fieldErrors[`${role}RequiredFrom`]}
        hint="Optional: before this day (UTC) users see a countdown and are reminded. Empty: at once."
      />
      {warning && <Alert tone="warning">{warning}</Alert>}
    </fieldset>
  );
}
