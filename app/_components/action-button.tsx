"use client";

import { useState, useTransition, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/action";
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
  return (
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
            const result = await action(input);
            setError(result.ok ? null : result.error);
          })
        }
      >
        {children}
      </Button>
    </div>
  );
}
