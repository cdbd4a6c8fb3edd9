"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { KeySummary } from "@/lib/webauthn/keys";
import { KeyModel } from "../../../_components/key-model";
import { Alert, Badge, Button } from "../../../_components/ui";
import { removeKeyAction, renameKeyAction } from "./actions";
import { RegisterKey } from "./register-key";
import { VerifyIdentity } from "./verify-identity";
import { leaveIfSessionEnded } from "../../../_components/api-client";
import { formatDate } from "@/lib/format";

/**
 * The "Security Key (U2F)" field: the user's keys, Register (when the org allows keys), rename, remove.
 * `locked`: required-MFA enrolment has not proved the mailbox yet, so Register waits for it.
 */
export function SecurityKeys({
  keys,
  keysAllowed,
  maxKeys,
  locked = false,
  isAdmin = false,
}: {
  keys: KeySummary[];
  keysAllowed: boolean;
  maxKeys: number;
  locked?: boolean;
  isAdmin?: boolean;
}) {
  const [registering, setRegistering] = useState(false);
  // What just happened ("Renamed …", "… was removed"), shown until the next change.
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <div className="space-y-4">
      {notice && <Alert tone="success">{notice}</Alert>}
      {keys.length === 0 ? (
        <p className="text-sm text-slate-500">No security keys registered.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200" aria-label="Your security keys">
          {keys.map((key) => (
            <KeyRow key={key.id} securityKey={key} onDone={setNotice} />
          ))}
        </ul>
      )}
      {keysAllowed && keys.length === 1 && (
        <Alert tone="info">Register a second key as a backup, so you can still verify your identity if you lose this one.</Alert>
      )}
      {!keysAllowed && (
        <p className="text-sm text-slate-500">
          Your org hasn't turned on security keys.{" "}
          {isAdmin && (
            <Link href="/setup/session-settings" className="font-medium text-brand-600 hover:text-brand-700">
              Turn them on in Session Settings
            </Link>
          )}
        </p>
      )}
      {keysAllowed &&
        (registering ? (
          <RegisterKey onClose={() => setRegistering(false)} />
        ) : keys.length < maxKeys ? (
          <div className="flex flex-wrap items-center gap-3">
            <Button onClick={() => setRegistering(true)} disabled={locked}>
              Register
            </Button>
            {locked && <p className="text-sm text-slate-500">Confirm your email first.</p>}
          </div>
        ) : (
          <p className="text-sm text-slate-500">You've registered the maximum of {maxKeys} keys.</p>
        ))}
    </div>
  );
}

function KeyRow({ securityKey: key, onDone }: { securityKey: KeySummary; onDone: (notice: string) => void }) {
  const router = useRouter();
  const [mode, setMode] = useState<"view" | "rename" | "confirm-remove" | "verify">("view");
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState(key.name);

  async function rename() {
    const result = await renameKeyAction({ keyId: key.id, name });
    if (leaveIfSessionEnded(result)) return;
    if (!result.ok) return setError(result.fieldErrors?.name ?? result.error);
    setError(null);
    setMode("view");
    onDone(`Renamed “${key.name}” to “${name.trim()}”.`);
    router.refresh();
  }

  async function removeNow() {
    const result = await removeKeyAction({ keyId: key.id });
    if (leaveIfSessionEnded(result)) return;
    if (!result.ok) {
      if (result.code === "fresh-auth-required") return setMode("verify");
      return setError(result.error);
    }
    onDone(`“${key.name}” was removed. We've emailed you about this change.`);
    router.refresh();
  }

  return (
    <li className="space-y-3 px-4 py-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
            {key.name}
            {key.flagged && <Badge tone="red">Possible cloned key</Badge>}
            {key.suspended && <Badge tone="amber">Suspended</Badge>}
          </p>
          {key.suspended && <p className="text-xs text-amber-800">Suspended after a “This wasn't me” report. It can't be used until an admin restores it.</p>}
          {key.flagged && (
            <p className="text-xs text-red-700">Its sign counter went backwards, a sign it may have been copied. It can't be used until an admin reviews it.</p>
          )}
          <p className="text-xs text-slate-500">
            <KeyModel securityKey={key} /> · added {formatDate(key.createdAt)} · last used {key.lastUsedAt ? formatDate(key.lastUsedAt) : "never"}
            {key.transports.length > 0 && ` · ${key.transports.join(", ").toUpperCase()}`}
          </p>
        </div>
        {mode === "view" && (
          <div className="flex gap-2">
            <Button variant="secondary" onClick={() => setMode("rename")} aria-label={`Rename ${key.name}`}>
              Rename
            </Button>
            <Button variant="danger" onClick={() => setMode("confirm-remove")} aria-label={`Remove ${key.name}`}>
              Remove
            </Button>
          </div>
        )}
      </div>
      {error && <Alert>{error}</Alert>}
      {mode === "rename" && (
        <div className="flex flex-wrap items-end gap-2">
          <label className="text-sm">
            <span className="block font-medium text-slate-700">New name</span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={64}
              className="mt-1 rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm"
            />
          </label>
          <Button onClick={rename}>Save</Button>
          <Button variant="secondary" onClick={() => setMode("view")}>
            Cancel
          </Button>
        </div>
      )}
      {mode === "confirm-remove" && (
        <div role="group" aria-label={`Remove ${key.name}?`} className="space-y-3 rounded-lg border border-red-200 bg-red-50/60 p-4">
          <p className="text-sm text-slate-800">
            Remove “{key.name}”? You won't be able to use it to verify your identity, and we'll email you about the change.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button
              variant="danger"
              onClick={() => {
                setMode("view");
                void removeNow();
              }}
            >
              Remove key
            </Button>
            <Button variant="secondary" onClick={() => setMode("view")}>
              Cancel
            </Button>
          </div>
        </div>
      )}
      {mode === "verify" && (
        <VerifyIdentity
          onVerified={() => {
            setMode("view");
            void removeNow();
          }}
          onCancel={() => setMode("view")}
        />
      )}
    </li>
  );
}
