"use client";

import { useState, useTransition, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { leaveIfSessionEnded } from "./api-client";
import { useStepUp } from "./step-up";
import { Button, type ButtonVariant } from "./ui";

/**
 * A one-click action ("Log out", "Revoke", "Reset password") calling a server
 * action. Its error, or the `done` message on success, shows beside it; an
 * action that needs a fresh "verify it's you" gets the panel and is retried;
 * a result saying the caller's own session ended goes to the login page.
 */
export function ActionButton<I>({
  action,
  input,
  label,
  done,
  confirm,
  children,
  variant = "secondary",
}: {
  action: (input: I) => Promise<ActionResult<unknown>>;
  input: I;
  /** The accessible name when the visible text is not enough: which row this acts on. */
  label?: string;
  /** Shown (role="status") after a success; nothing is shown otherwise. */
  done?: string;
  /** Asked first (the browser's confirm dialog); declining sends nothing. */
  confirm?: string;
  children: ReactNode;
  variant?: ButtonVariant;
}) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp();
  return (
    <div>
      <div className="flex flex-wrap items-center gap-3">
        {message && (
          <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-600"}`}>
            {message.text}
          </p>
        )}
        <Button
          variant={variant}
          disabled={pending}
          aria-label={label}
          // A row's text wraps on a phone; its button ("Log out") stays on one line.
          className="whitespace-nowrap"
          onClick={() => {
            if (confirm && !window.confirm(confirm)) return;
            startTransition(async () => {
              const result = await stepUp.run(() => action(input));
              if (leaveIfSessionEnded(result)) return;
              setMessage(!result ? null : result.ok ? (done ? { ok: true, text: done } : null) : { ok: false, text: result.error });
            });
          }}
        >
          {children}
        </Button>
      </div>
      {stepUp.panel}
    </div>
  );
}
