"use client";

import { useState, useTransition } from "react";
import { useStepUp } from "../../../../_components/step-up";
import { Button } from "../../../../_components/ui";
import { resendInvitationAction, resetUserPasswordAction, revokeSessionAction, setUserActiveAction } from "../actions";
import { leaveIfSessionEnded } from "../../../../_components/api-client";

export function UserActions({ userId, isActive }: { userId: string; isActive: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const stepUp = useStepUp();
  return (
    <div>
      <div className="flex items-center gap-3">
        {error && (
          <p role="alert" className="text-sm text-red-600">
            {error}
          </p>
        )}
        <Button
          variant={isActive ? "danger" : "secondary"}
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              // Deactivating or reactivating someone needs the admin's fresh "verify it's you".
              const result = await stepUp.run(() => setUserActiveAction({ userId, active: String(!isActive) }));
              setError(!result || result.ok ? null : result.error);
            })
          }
        >
          {isActive ? "Deactivate" : "Reactivate"}
        </Button>
      </div>
      {stepUp.panel}
    </div>
  );
}

export function RevokeSessionButton({ userId, sessionId }: { userId: string; sessionId: string }) {
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
        onClick={() =>
          startTransition(async () => {
            const result = await revokeSessionAction({ userId, sessionId });
            if (leaveIfSessionEnded(result)) return;
            setError(result.ok ? null : result.error);
          })
        }
      >
        Log out
      </Button>
    </div>
  );
}

export function ResendInvitationButton({ userId }: { userId: string }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex items-center gap-3">
      {message && (
        <p role={message.ok ? "status" : "alert"} className={`text-sm ${message.ok ? "text-emerald-700" : "text-red-600"}`}>
          {message.text}
        </p>
      )}
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await resendInvitationAction({ userId });
            if (leaveIfSessionEnded(result)) return;
            setMessage(result.ok ? { ok: true, text: "Invitation sent." } : { ok: false, text: result.error });
          })
        }
      >
        Send a new invitation
      </Button>
    </div>
  );
}

/** "Reset password": needs the admin's fresh "verify it's you"; the user is emailed a link and signed out everywhere. */
export function ResetPasswordButton({ userId }: { userId: string }) {
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
          variant="secondary"
          disabled={pending}
          onClick={() =>
            startTransition(async () => {
              const result = await stepUp.run(() => resetUserPasswordAction({ userId }));
              if (!result || leaveIfSessionEnded(result)) return;
              setMessage(result.ok ? { ok: true, text: "Password reset. We emailed the user a link to choose a new one." } : { ok: false, text: result.error });
            })
          }
        >
          Reset password
        </Button>
      </div>
      {stepUp.panel}
    </div>
  );
}
