"use client";

import { useState, useTransition } from "react";
import { Button } from "../../../_components/ui";
import { endOwnSessionAction } from "./actions";

/** "Log out" one of the user's other browsers. */
export function EndSessionButton({ sessionId, label }: { sessionId: string; label: string }) {
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
        variant="secondary"
        disabled={pending}
        aria-label={label}
        onClick={() =>
          startTransition(async () => {
            const result = await endOwnSessionAction({ sessionId });
            setError(result.ok ? null : result.error);
          })
        }
      >
        Log out
      </Button>
    </div>
  );
}
