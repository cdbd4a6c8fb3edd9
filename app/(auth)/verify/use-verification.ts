"use client";

import { useRouter } from "next/navigation";
import { useEffect, useReducer, type FormEvent } from "react";
import type { LoginMethod } from "@/lib/auth/login/verification-choices";
import { postJson } from "../../_components/api-client";
import { finishLogin } from "../../_components/finish-login";

/** The request in flight; while there is one, every method's buttons are disabled. */
export type Busy = "key" | "send" | "code" | "one-time" | "finish";

/**
 * What outlives the method on screen: switching methods keeps a code already
 * emailed, the resend notice and a request still in flight.
 */
export type VerifyState = {
  method: LoginMethod | undefined;
  busy: Busy | null;
  error: string | null;
  /** Only the emailed code sets or clears it; it stays when the user switches methods. */
  notice: string | null;
  /** The pending login is gone: nothing but the error is left to show. */
  expired: boolean;
  emailCodeSent: boolean;
};

export type VerifyAction =
  | { type: "choose"; method: LoginMethod }
  | { type: "start"; busy: Busy; clearNotice?: boolean }
  | { type: "stop" }
  | { type: "refused"; error: string; expired?: boolean }
  | { type: "email-code-sent"; notice: string | null };

export function verifyReducer(state: VerifyState, action: VerifyAction): VerifyState {
  switch (action.type) {
    case "choose":
      return { ...state, method: action.method, error: null };
    case "start":
      return { ...state, busy: action.busy, error: null, notice: action.clearNotice ? null : state.notice };
    case "stop":
      return { ...state, busy: null };
    case "refused":
      return { ...state, busy: null, error: action.error, expired: state.expired || Boolean(action.expired) };
    case "email-code-sent":
      return { ...state, busy: null, notice: action.notice, emailCodeSent: true };
  }
}

type Refusal = { error: string; code?: string; fieldErrors?: Record<string, string> };

/**
 * The part of /verify every method shares: which request is in flight, the
 * error, and the end of a verified login (the session, then /home).
 */
export function useVerification({ firstMethod, emailCodeSent, verified }: { firstMethod?: LoginMethod; emailCodeSent: boolean; verified: boolean }) {
  const router = useRouter();
  const [state, dispatch] = useReducer(verifyReducer, {
    method: firstMethod,
    busy: null,
    error: null,
    notice: null,
    expired: false,
    emailCodeSent,
  });

  function goHome() {
    router.replace("/home");
    router.refresh();
  }

  /** Turns the verified pending login into a session; a failure there means the login is over. */
  async function finish() {
    dispatch({ type: "start", busy: "finish" });
    const failure = await finishLogin();
    if (failure) return dispatch({ type: "refused", error: failure, expired: true });
    goHome();
  }

  // A verification that succeeded just before a reload only needs finishing.
  useEffect(() => {
    if (verified) void finish();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [verified]);

  /** Shows the server's refusal; "login-expired" ends the form. */
  function refused(result: Refusal) {
    dispatch({ type: "refused", error: result.error, expired: result.code === "login-expired" });
  }

  /**
   * A code form's submit: posts the entered code (after `fields`) and, when it
   * is accepted, finishes the login. Returns the code field's error, if any.
   */
  async function submitCode(
    event: FormEvent<HTMLFormElement>,
    request: { busy: "code" | "one-time"; url: string; fields?: Record<string, string>; clearNotice?: boolean },
  ): Promise<string | undefined> {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "");
    dispatch({ type: "start", busy: request.busy, clearNotice: request.clearNotice });
    const result = await postJson(request.url, { ...request.fields, code });
    if (!result.ok) {
      refused(result);
      return result.fieldErrors?.code;
    }
    await finish();
  }

  return { state, dispatch, refused, finish, goHome, submitCode };
}

export type Verification = ReturnType<typeof useVerification>;
