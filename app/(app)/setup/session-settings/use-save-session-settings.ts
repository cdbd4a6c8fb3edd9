"use client";

import { useRouter } from "next/navigation";
import { useRef, useState, type FormEvent } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { useStepUp } from "../../../_components/step-up";
import { previewSessionSettingsAction, saveSessionSettingsAction } from "./actions";

/** `enrolmentDue`: the save made MFA required at once and the admin who saved has no second factor. */
export type SaveResult = ActionResult<{ version: number; changed: number; enrolmentDue: boolean }>;

/** The form's Save: the admin confirms each warning the new values raise, verifies it's them, then the action runs. */
export function useSaveSessionSettings() {
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
    // The warnings come from the server (settingsWarnings, as the Admin API's dry run): confirm each, then save.
    let preview: Awaited<ReturnType<typeof previewSessionSettingsAction>>;
    try {
      preview = await previewSessionSettingsAction(form);
    } catch {
      preview = { ok: false, error: "Your changes were not saved. Reload the page and try again." };
    }
    if (!preview.ok) {
      setResult(preview);
      top.current?.scrollIntoView({ block: "nearest" });
      return;
    }
    for (const warning of preview.data.warnings) if (!window.confirm(`${warning.message} Save anyway?`)) return;
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
