"use client";

import { CopyButton } from "../../../_components/copy-button";
import { Alert, Button } from "../../../_components/ui";

/** A signing secret, shown once: copy it now. */
export function SecretOnce({ secret, message, onDone }: { secret: string; message: string; onDone: () => void }) {
  return (
    <div className="space-y-3">
      <Alert tone="success">{message} Copy the signing secret now and keep it with your receiver: you won&apos;t see it again.</Alert>
      <div className="flex flex-wrap items-center gap-3">
        <p aria-label="Signing secret" className="break-all rounded-lg bg-slate-50 px-4 py-3 font-mono text-sm text-slate-900">
          {secret}
        </p>
        <CopyButton text={secret} />
      </div>
      <Button variant="secondary" onClick={onDone}>
        Done
      </Button>
    </div>
  );
}
