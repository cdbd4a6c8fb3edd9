"use client";

import { useState, useTransition, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { useStepUp } from "./step-up";
import { Button, type ButtonVariant } from "./ui";

/** A one-click row action ("Log out", "Revoke") calling a server action; its error shows beside it. */
export function ActionButton<I>({
  action,
  input,
  label,
  children,
  variant = "secondary",
}: {
  action: (input: I) => Promise<ActionResult<unknown>>;
  input: I;
  /** The accessible name: which row this acts on. */
  label: string;
  children: ReactNode;
  variant?: ButtonVariant;
}) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp();
  return (
    <div>
      <div className="flex items-center gap-2">
        {error && (
          <p role="alert" className="text-sm text-red-600">
            {error}
          </p>
        )}
        <Button
          variant={variant}
          disabled={pending}
          aria-label={label}
          onClick={() =>
            startTransition(async () => {
              // Some row actions need a fresh "verify it's you"; the panel asks for it and retries.
              const result = await stepUp.run(() => action(input));
              setError(!result || result.ok ? null : result.error);
            })
          }
        >
          {children}
        </Button>
      </div>
      {stepUp.panel}
    </div>
  );
}
