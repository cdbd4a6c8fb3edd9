"use client";

import { useState } from "react";
import { Alert, Button } from "../../../_components/ui";
import { confirmCompromiseAction } from "./actions";

type Outcome = { resetEmailed: boolean; recovery: "self-service" | "admin" | "operator" };

/** What happens next, as the user reads it once the report is made. */
function nextStep(done: Outcome): string {
  if (done.recovery === "operator") {
    return "Admin recovery required. You are your org's only admin, so whoever runs your Gatehouse server must recover your account (npm run user:recover): contact them. They will give you a temporary verification code and a link to choose a new password.";
  }
  if (done.recovery === "admin") {
    return "Admin recovery required. Contact your admin: once they have checked it's you, they will restore or remove what was suspended, and give you a temporary verification code for your next login and a way to choose a new password.";
  }
  return done.resetEmailed
    ? "Check your email for a link to choose a new password."
    : "Choose a new password with “Forgot your password?” on the login page, or ask your admin.";
}

export function ConfirmCompromise({ token }: { token: string }) {
  const [done, setDone] = useState<Outcome | null>(null);
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
      <Alert tone={done.recovery === "self-service" ? "success" : "warning"}>
        Done. You were signed out everywhere and your admins were told. {nextStep(done)}
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
