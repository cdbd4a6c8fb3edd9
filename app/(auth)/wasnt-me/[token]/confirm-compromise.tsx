"use client";

import { useState } from "react";
import { Alert, Button } from "../../../_components/ui";
import { confirmCompromiseAction } from "./actions";

export function ConfirmCompromise({ token }: { token: string }) {
  const [done, setDone] = useState<{ resetEmailed: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function confirm() {
    setPending(true);
    setError(null);
    const result = await confirmCompromiseAction({ token });
    setPending(false);
    if (result.ok) return setDone(result.data);
    setError(result.error);
  }

  if (done) {
    return (
      <Alert tone="success">
        Done. You were signed out everywhere and your admins were told.{" "}
        {done.resetEmailed
          ? "Check your email for a link to choose a new password."
          : "Choose a new password with “Forgot your password?” on the login page, or ask your admin."}
      </Alert>
    );
  }
  return (
    <div className="space-y-4">
      {error && <Alert>{error}</Alert>}
      <Button variant="danger" className="w-full" disabled={pending} onClick={confirm}>
        {pending ? "Securing your account…" : "Yes, this wasn't me: secure my account"}
      </Button>
    </div>
  );
}
