"use client";

import { useState } from "react";
import type { LoginMethod } from "@/lib/auth/login/verification-choices";
import { Button } from "../../_components/ui";

/** How each method is named in "Use another method". */
const METHOD_NAMES: Record<LoginMethod, string> = {
  "security-key": "Security key",
  "authenticator-app": "Authenticator app",
  "recovery-code": "Recovery code",
  "temporary-code": "Temporary code",
  "email-code": "Emailed code",
};

/**
 * "Use another method", which opens the list of the others. Hidden while a
 * key request runs, it stays mounted so the list is as the user left it.
 */
export function MethodChooser({ others, hidden, onChoose }: { others: LoginMethod[]; hidden: boolean; onChoose: (method: LoginMethod) => void }) {
  const [choosing, setChoosing] = useState(false);
  if (others.length === 0 || hidden) return null;
  return (
    <div className="border-t border-slate-100 pt-4">
      {choosing ? (
        <div className="space-y-2">
          <p className="text-sm font-medium text-slate-700">Choose another method</p>
          <ul className="space-y-2">
            {others.map((other) => (
              <li key={other}>
                <Button
                  variant="secondary"
                  className="w-full justify-start"
                  onClick={() => {
                    setChoosing(false);
                    onChoose(other);
                  }}
                >
                  {METHOD_NAMES[other]}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <button type="button" onClick={() => setChoosing(true)} className="text-sm font-medium text-brand-600 hover:text-brand-700">
          Use another method
        </button>
      )}
    </div>
  );
}
