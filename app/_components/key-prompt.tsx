"use client";

import { WebAuthnAbortService } from "@simplewebauthn/browser";
import { useEffect, useState } from "react";
import { Button } from "./ui";

/**
 * "Insert your security key and touch it", with the time left (the server's
 * challenge expires with it) and a Cancel button that ends the browser's request.
 */
export function KeyPrompt({ deadline, onCancel }: { deadline: number; onCancel: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((deadline - now) / 1000));
  return (
    <div className="space-y-2">
      <h3 className="text-base font-semibold text-slate-900">Insert your security key and touch it</h3>
      <p className="text-sm text-slate-500">If your key has a button or a gold disc, touch it when it blinks.</p>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm font-medium text-brand-700" aria-live="polite">
          Time left: {Math.floor(seconds / 60)}:{String(seconds % 60).padStart(2, "0")}
        </p>
        <Button
          variant="secondary"
          onClick={() => {
            WebAuthnAbortService.cancelCeremony();
            onCancel();
          }}
        >
          Cancel
        </Button>
      </div>
    </div>
  );
}

/**
 * Why a browser key request ended without an answer. Browsers report a key
 * that isn't registered, a cancel and a timeout alike (NotAllowedError), so
 * the elapsed time tells them apart: an early end that the user did not
 * cancel here is, in practice, a key the site doesn't know.
 */
export function keyRequestEnded(error: unknown, startedAt: number, timeoutMs: number): "timed-out" | "not-registered" | "other" {
  const name = error instanceof Error ? error.name : "";
  if (name !== "NotAllowedError") return "other";
  return Date.now() - startedAt >= timeoutMs - 2_000 ? "timed-out" : "not-registered";
}
