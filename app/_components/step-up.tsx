"use client";

import { useState, type ReactNode } from "react";
import type { ActionResult } from "@/lib/auth/action";
import { leaveIfSessionEnded } from "./api-client";
import { VerifyIdentity } from "../(app)/settings/advanced/verify-identity";

/**
 * Sensitive changes need a fresh "verify it's you" (the org's window). This
 * runs a server action; when the server answers `fresh-auth-required`, it
 * shows the verification in place and, once verified, sends the same call
 * again. `panel` is what to render (null when nothing is asked).
 */
export function useStepUp(): {
  run<T>(call: () => Promise<ActionResult<T>>): Promise<ActionResult<T> | null>;
  panel: ReactNode;
} {
  const [asking, setAsking] = useState<{ retry: () => void; cancel: () => void } | null>(null);

  function run<T>(call: () => Promise<ActionResult<T>>): Promise<ActionResult<T> | null> {
    return call().then((result) => {
      leaveIfSessionEnded(result);
      if (result.ok || result.code !== "fresh-auth-required") return result;
      // Resolves with the retried result, or null when the admin cancels.
      return new Promise<ActionResult<T> | null>((resolve) => {
        setAsking({
          retry: () => {
            setAsking(null);
            void call().then((again) => {
              leaveIfSessionEnded(again);
              resolve(again);
            });
          },
          cancel: () => {
            setAsking(null);
            resolve(null);
          },
        });
      });
    });
  }

  const panel = asking ? (
    <div className="mt-4 rounded-xl border border-brand-100 bg-brand-50/40 p-5">
      <VerifyIdentity onVerified={asking.retry} onCancel={asking.cancel} />
    </div>
  ) : null;
  return { run, panel };
}
