"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import type { RegisteredKeyModel } from "@/lib/policy/rules";
import { useStepUp } from "../../../_components/step-up";
import { saveSessionSettingsAction } from "./actions";
import { mfaAtOnceWarning } from "./mfa-requirement-field";
import { roleRequirementWarning } from "./role-requirements-card";
import { keysWord, newlyRefusedKeys } from "./security-key-policy-card";
import type { RoleNotMet, SessionSettingsFormValues } from "./session-settings-form";

/** `enrolmentDue`: the save made MFA required at once and the admin who saved has no second factor. */
export type SaveResult = ActionResult<{ version: number; changed: number; enrolmentDue: boolean }>;

/** The form's Save: the admin confirms each warning the new values raise, verifies it's them, then the action runs. */
export function useSaveSessionSettings({
  initial,
  keyOnlyUserCount,
  usersWithoutSecondFactor,
  keyModels,
  roleNotMet,
}: {
  initial: SessionSettingsFormValues;
  keyOnlyUserCount: number;
  usersWithoutSecondFactor: number;
  keyModels: readonly RegisteredKeyModel[];
  roleNotMet: RoleNotMet;
}) {
  const router = useRouter();
  const [result, setResult] = useState<SaveResult | null>(null);
  const [pending, setPending] = useState(false);
  // The last save required a key of admins at once (the admin who saved may have to register one next).
  const [keyRuleSaved, setKeyRuleSaved] = useState(false);
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
    // Requirements by role: who would not comply, and whether it applies at once (the preview the card shows).
    const keyPolicyChanged = stopping > 0 || (initial.allowSecurityKeys && !form.get("allowSecurityKeys"));
    for (const role of ["admin", "standard"] as const) {
      const value = (field: string) => String(form.get(`${role}${field}`) ?? "");
      const warning = roleRequirementWarning(
        role,
        { requirement: initial[`${role}Requirement`], requiredFrom: initial[`${role}RequiredFrom`] },
        { requirement: value("Requirement"), requiredFrom: value("RequiredFrom") },
        roleNotMet[role],
        keyPolicyChanged,
      );
      if (warning && !window.confirm(`${warning} Save anyway?`)) return;
    }
    setKeyRuleSaved(form.get("adminRequirement") === "SECURITY_KEY");
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

  return { result, pending, top, onSubmit, stepUpPanel: stepUp.panel, keyRuleSaved };
}
