"use client";

import type { LoginMethod } from "@/lib/auth/login/verification-choices";
import { Alert } from "../../_components/ui";
import { EmailCodeMethod } from "./email-code-method";
import { MethodChooser } from "./method-chooser";
import { OneTimeCodeMethod, isOneTimeKind } from "./one-time-code-method";
import { SecurityKeyMethod } from "./security-key-method";
import { useVerification } from "./use-verification";

type Props = { methods: LoginMethod[]; emailHint: string | null; emailCodeSent: boolean; verified: boolean };

/**
 * "Verify your identity": the user's preferred method first (a security key
 * when they have one, in the order `methods` gives), and "Use another method"
 * for the rest.
 */
export function VerifyForm({ methods, emailHint, emailCodeSent, verified }: Props) {
  const verification = useVerification({ firstMethod: methods[0], emailCodeSent, verified });
  const { method, busy, error, notice, expired } = verification.state;

  if (expired) {
    return <Alert>{error ?? "Your login expired. Log in again."}</Alert>;
  }
  if (verified || busy === "finish") {
    return <Alert tone="info">Verified. Logging you in…</Alert>;
  }
  if (!method) {
    return <Alert>You have no way to verify this login here: your security keys can't be used. Ask an admin of your org for help.</Alert>;
  }

  return (
    <div className="space-y-6">
      {error && <Alert>{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}
      {method === "security-key" && <SecurityKeyMethod verification={verification} />}
      {isOneTimeKind(method) && <OneTimeCodeMethod key={method} kind={method} verification={verification} />}
      {method === "email-code" && <EmailCodeMethod emailHint={emailHint} verification={verification} />}
      <MethodChooser
        others={methods.filter((m) => m !== method)}
        hidden={busy === "key"}
        onChoose={(next) => verification.dispatch({ type: "choose", method: next })}
      />
    </div>
  );
}
