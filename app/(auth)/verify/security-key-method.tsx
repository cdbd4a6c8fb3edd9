"use client";

import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useRef, useState } from "react";
import { ceremonyErrorMessage, postJson } from "../../_components/api-client";
import { KeyPrompt, keyRequestEnded } from "../../_components/key-prompt";
import { Button } from "../../_components/ui";
import type { Verification } from "./use-verification";

const NOT_REGISTERED = "That security key isn't registered to your account (or the request was canceled). Use a key you registered, or choose another method.";

/** "Use my security key": the browser's key request, with the time left and Cancel while it runs. */
export function SecurityKeyMethod({ verification }: { verification: Verification }) {
  const { state, dispatch, refused, finish, goHome } = verification;
  const [deadline, setDeadline] = useState<number | null>(null);
  // Cancel ends the browser's request, which then fails: that failure is not an error to show.
  const canceled = useRef(false);

  async function verifyWithKey() {
    dispatch({ type: "start", busy: "key" });
    canceled.current = false;
    const options = await postJson<{ options: PublicKeyCredentialRequestOptionsJSON }>("/api/verify/key/options");
    if (!options.ok) return refused(options);
    const timeout = options.data.options.timeout ?? 120_000;
    const startedAt = Date.now();
    setDeadline(startedAt + timeout);
    let response;
    try {
      response = await startAuthentication({ optionsJSON: options.data.options });
    } catch (e) {
      setDeadline(null);
      if (canceled.current) return dispatch({ type: "stop" });
      const ended = keyRequestEnded(e, startedAt, timeout);
      return dispatch({ type: "refused", error: ended === "not-registered" ? NOT_REGISTERED : ceremonyErrorMessage(e) });
    }
    setDeadline(null);
    const result = await postJson<{ signedIn?: boolean }>("/api/verify/key", { response });
    if (!result.ok) return refused(result);
    // The key's answer already started the session: only the navigation is left.
    if (!result.data.signedIn) return finish();
    goHome();
  }

  if (state.busy === "key" && deadline) {
    return (
      <KeyPrompt
        deadline={deadline}
        onCancel={() => {
          canceled.current = true;
          dispatch({ type: "stop" });
          setDeadline(null);
        }}
      />
    );
  }
  return (
    <section className="space-y-3">
      <h2 className="text-sm font-semibold text-slate-900">Security key</h2>
      <p className="text-sm text-slate-500">Use one of the security keys registered to your account.</p>
      <Button onClick={verifyWithKey} disabled={state.busy !== null} className="w-full">
        {state.busy === "key" ? "Waiting for your key…" : "Use my security key"}
      </Button>
    </section>
  );
}
