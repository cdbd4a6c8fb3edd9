"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert, Button } from "../../../_components/ui";
import { generateRecoveryCodesAction } from "./actions";
import { VerifyIdentity } from "./verify-identity";
import { leaveIfSessionEnded } from "../../../_components/api-client";

type Step = { name: "idle" } | { name: "verify" } | { name: "show"; codes: string[]; replaced: boolean };

/** Recovery codes: how many are left; Generate / Regenerate (after "verify it's you"); the new set shown once, with copy and download. */
export function RecoveryCodes({ left }: { left: number }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ name: "idle" });
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);

  async function generate() {
    setError(null);
    setBusy(true);
    const result = await generateRecoveryCodesAction({});
    if (leaveIfSessionEnded(result)) return;
    setBusy(false);
    // Only a set that still had unused codes is "previous codes" worth warning about.
    if (result.ok) return setStep({ name: "show", codes: result.data.codes, replaced: left > 0 });
    if (result.code === "fresh-auth-required") return setStep({ name: "verify" });
    setStep({ name: "idle" });
    setError(result.error);
  }

  function download(codes: string[]) {
    const text = `Gatehouse recovery codes (each works once)\n\n${codes.join("\n")}\n`;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    link.download = "gatehouse-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(link.href);
  }

  if (step.name === "verify") {
    return (
      <div className="rounded-xl border border-brand-100 bg-brand-50/40 p-5">
        <VerifyIdentity onVerified={generate} onCancel={() => setStep({ name: "idle" })} />
      </div>
    );
  }
  if (step.name === "show") {
    return (
      <div className="space-y-4">
        <Alert tone="warning">Save these codes now: they won't be shown again. Each works once.{step.replaced && " Your previous codes no longer work."}</Alert>
        <ol aria-label="Your new recovery codes" className="grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-sm text-slate-800">
          {step.codes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ol>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            onClick={async () => {
              await navigator.clipboard?.writeText(step.codes.join("\n")).catch(() => undefined);
              setCopied(true);
            }}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
          <Button variant="secondary" onClick={() => download(step.codes)}>
            Download
          </Button>
          <Button
            onClick={() => {
              setStep({ name: "idle" });
              router.refresh();
            }}
          >
            I've saved them
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-center justify-between gap-4">
      <div className="text-sm">
        {error && <Alert>{error}</Alert>}
        <p className="text-slate-700">{left === 0 ? "You have no recovery codes." : `${left} of 10 recovery codes left.`}</p>
        <p className="text-slate-500">Use one to log in if you lose your security key.</p>
      </div>
      <Button variant={left === 0 ? "primary" : "secondary"} onClick={generate} disabled={busy}>
        {left === 0 ? "Generate" : "Regenerate"}
      </Button>
    </div>
  );
}
