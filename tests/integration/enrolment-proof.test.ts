import { describe, expect, it, vi } from "vitest";
import { proveMailbox as entryPointMailboxProof } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import {
  confirmAuthenticatorAction,
  sendEnrolmentCodeAction,
  startAuthenticatorAction,
  verifyEnrolmentCodeAction,
} from "@/app/(app)/settings/advanced/actions";
import { POST as registerOptions } from "@/app/api/webauthn/register/options/route";
import { POST as registerVerify } from "@/app/api/webauthn/register/verify/route";
import type { OrgContext } from "@/lib/auth/org-context";
import { db } from "@/lib/db/client";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import {
  ENROLMENT_CODE_MAX_ATTEMPTS,
  ENROLMENT_CODE_SEND_LIMIT,
  ENROLMENT_CODE_TTL_MS,
  enrolmentProofOf,
  sendEnrolmentCode,
  verifyEnrolmentCode,
} from "@/lib/verification/enrolment-proof";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { issueChallenge } from "@/lib/webauthn/challenges";
import { finishKeyRegistration, startKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { enrolmentCodeFor, proveMailbox } from "../support/enrolment-proof";
import { contextOf, createOrg, createUser, signIn } from "../support/factories";
import { actAs } from "../support/next-request";
import { RP, keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import { SoftAuthenticator } from "../support/soft-authenticator";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

// DESIGN.md section 9, "Enrolment under required MFA": a session that must
// enrol a first factor proves the user's mailbox with an emailed code before a
// key or an authenticator app is accepted, so a stolen password alone never
// enrols the thief's key.

const PROOF_REQUIRED = { code: "mailbox-proof-required", status: 403 };

async function requireMfa(orgId: string) {
  await db().orgSettings.update({ where: { orgId }, data: { requireMfa: true, mfaRequiredFrom: null } });
}

/** An org that allows keys and apps and requires MFA, and a user of it without a second factor, who re-authenticated just now. */
async function enrollingUser() {
  const org = await createOrg("Enrol");
  await setOrgSettings(org.orgId, {});
  await requireMfa(org.orgId);
  const user = await createUser(org.admin);
  const { ctx, token } = await signIn(user.userId);
  expect(ctx.mfa.enrolmentDue).toBe(true);
  await reauthenticate(ctx);
  return { org, user, ctx, token };
}

const emailedCode = enrolmentCodeFor;

/** A code other than `code`. */
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** A software key's answer to a registration challenge issued without the options endpoint (which refuses first). */
async function responseToIssuedChallenge(ctx: OrgContext) {
  const challenge = await issueChallenge(ctx, "register");
  return { challenge, response: new SoftAuthenticator(RP).register(challenge).response };
}

const post = (body: unknown) =>
  new Request("http://localhost:3000/api/webauthn", {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", origin: "http://localhost:3000" },
  });

const keysOf = (userId: string) => db().securityKey.count({ where: { userId } });
const sessionRow = (id: string) => db().session.findUniqueOrThrow({ where: { id } });

describe("before the mailbox is proved, a user in enrolment gets no first factor", () => {
  it("refuses starting and finishing a key registration (services and routes), and stores nothing", async () => {
    const { user, ctx, token } = await enrollingUser();

    expect(await rejectionOf(registering(ctx).then((c) => startKeyRegistration(c)))).toMatchObject(PROOF_REQUIRED);
    expect(await db().webAuthnChallenge.count({ where: { userId: user.userId } })).toBe(0);

    // A challenge obtained some other way does not help: finishing is refused too, and the challenge is not spent.
    const { challenge, response } = await responseToIssuedChallenge(ctx);
    expect(await rejectionOf(registering(ctx).then((c) => finishKeyRegistration(c, response)))).toMatchObject(PROOF_REQUIRED);
    expect(await keysOf(user.userId)).toBe(0);
    expect(await db().webAuthnChallenge.count({ where: { challenge } })).toBe(1);
    expect(await db().emailMessage.count({ where: { to: user.username, template: "security-key-registered" } })).toBe(0);
    // Refused by the entry point's declared proof, before any ceremony: no key was checked, so none is recorded.
    expect(await db().verificationEvent.count({ where: { userId: user.userId, activity: "Register security key" } })).toBe(0);

    await actAs(token);
    const options = await registerOptions(post({}));
    expect(options.status).toBe(403);
    expect(await options.json()).toMatchObject({ ok: false, code: "mailbox-proof-required" });
    const verify = await registerVerify(post({ response }));
    expect(verify.status).toBe(403);
    expect(await verify.json()).toMatchObject({ ok: false, code: "mailbox-proof-required" });
    expect(await keysOf(user.userId)).toBe(0);
  });

  it("refuses connecting an authenticator app, even with the right code from an app started before MFA was required", async () => {
    const org = await createOrg("Enrol app");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const before = await signIn(user.userId, { fresh: true });
    const enrolment = await startAuthenticatorEnrolment(await registering(before.ctx));
    await requireMfa(org.orgId);

    const { ctx, token } = await signIn(user.userId);
    await reauthenticate(ctx);
    expect(ctx.mfa.enrolmentDue).toBe(true);
    expect(await rejectionOf(registering(ctx).then((c) => startAuthenticatorEnrolment(c)))).toMatchObject(PROOF_REQUIRED);
    const code = totpAt(base32Decode(enrolment.secret), stepAt(new Date()));
    expect(await rejectionOf(entryPointMailboxProof(ctx).then((c) => confirmAuthenticatorEnrolment(c, code)))).toMatchObject(PROOF_REQUIRED);

    await actAs(token);
    expect(await startAuthenticatorAction({})).toMatchObject({ ok: false, code: "mailbox-proof-required" });
    expect(await confirmAuthenticatorAction({ code })).toMatchObject({ ok: false, code: "mailbox-proof-required" });
    expect(await db().authenticatorApp.findUniqueOrThrow({ where: { userId: user.userId } })).toMatchObject({ confirmedAt: null });
    expect((await contextOf(token)).mfa.enrolmentDue).toBe(true);
  });
});

describe("the emailed code", () => {
  it("is sent on request (not in the subject), proves the mailbox, and then key registration goes through", async () => {
    const { user, ctx, token } = await enrollingUser();
    await actAs(token);
    expect(await enrolmentProofOf(ctx)).toEqual({ needed: true, codeSent: false });

    expect(await sendEnrolmentCodeAction({})).toMatchObject({ ok: true });
    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: user.username, template: "enrolment-code" } });
    const code = await emailedCode(user.username);
    expect(mail.subject).toBe("Confirm your email to set up multi-factor authentication");
    expect(mail.subject).not.toContain(code);
    expect(await enrolmentProofOf(ctx)).toEqual({ needed: true, codeSent: true });
    // Stored only as a hash bound to the session.
    const stored = await sessionRow(ctx.sessionId);
    expect(stored.enrolmentCodeHash).not.toContain(code);
    expect(stored.enrolmentCodeExpiresAt!.getTime()).toBeGreaterThan(Date.now() + ENROLMENT_CODE_TTL_MS - 60_000);

    expect(await verifyEnrolmentCodeAction({ code: ` ${code.slice(0, 3)} ${code.slice(3)} ` })).toEqual({ ok: true, data: undefined });
    expect(await sessionRow(ctx.sessionId)).toMatchObject({ enrolmentCodeHash: null, enrolmentCodeExpiresAt: null, mailboxProvedAt: expect.any(Date) });
    expect(await enrolmentProofOf(ctx)).toEqual({ needed: false, codeSent: false });
    expect(await db().verificationEvent.findMany({ where: { userId: user.userId }, select: { method: true, activity: true, result: true } })).toContainEqual({
      method: "Emailed code",
      activity: "Prove email for enrolment",
      result: "Succeeded",
    });

    const registered = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    expect(await db().securityKey.findUniqueOrThrow({ where: { id: registered.id } })).toMatchObject({ userId: user.userId });
    expect((await contextOf(token)).mfa.enrolmentDue).toBe(false);
  });

  it("lets an authenticator app connect once the mailbox is proved", async () => {
    const { user, ctx } = await enrollingUser();
    await proveMailbox(ctx);
    const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
    await confirmAuthenticatorEnrolment(await entryPointMailboxProof(ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
    expect(await db().authenticatorApp.findUniqueOrThrow({ where: { userId: user.userId } })).toMatchObject({ confirmedAt: expect.any(Date) });
  });

  it("is refused after five wrong guesses, even when the sixth is right", async () => {
    const { user, ctx } = await enrollingUser();
    await sendEnrolmentCode(ctx);
    const code = await emailedCode(user.username);
    for (let i = 0; i < ENROLMENT_CODE_MAX_ATTEMPTS; i++) {
      expect((await rejectionOf(verifyEnrolmentCode(ctx, wrongCode(code)))).message).toBe("That code isn't right. Check the latest email and try again.");
    }
    expect((await rejectionOf(verifyEnrolmentCode(ctx, code))).message).toBe("Too many wrong codes. Send a new one.");
    expect(await sessionRow(ctx.sessionId)).toMatchObject({ mailboxProvedAt: null, enrolmentCodeAttempts: ENROLMENT_CODE_MAX_ATTEMPTS });
    expect(await db().verificationEvent.count({ where: { userId: user.userId, activity: "Prove email for enrolment", result: "Failed" } })).toBe(
      ENROLMENT_CODE_MAX_ATTEMPTS + 1,
    );
    expect(await rejectionOf(registering(ctx).then((c) => startKeyRegistration(c)))).toMatchObject(PROOF_REQUIRED);
  });

  it("counts parallel guesses atomically: of many at once, no more than five are compared", async () => {
    const { user, ctx } = await enrollingUser();
    await sendEnrolmentCode(ctx);
    const code = await emailedCode(user.username);
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => verifyEnrolmentCode(ctx, wrongCode(code))));
    const messages = outcomes.map((o) => (o.status === "rejected" ? (o.reason as Error).message : "ok"));
    expect(messages.filter((m) => m.startsWith("That code isn't right"))).toHaveLength(ENROLMENT_CODE_MAX_ATTEMPTS);
    expect((await sessionRow(ctx.sessionId)).enrolmentCodeAttempts).toBe(ENROLMENT_CODE_MAX_ATTEMPTS);
  });

  it("is refused once expired", async () => {
    const { user, ctx } = await enrollingUser();
    await sendEnrolmentCode(ctx);
    const code = await emailedCode(user.username);
    const late = new Date(Date.now() + ENROLMENT_CODE_TTL_MS + 1000);
    expect(await rejectionOf(verifyEnrolmentCode(ctx, code, late))).toMatchObject({
      message: "That code has expired. Send a new one.",
      fieldErrors: { code: "That code has expired." },
    });
    expect((await sessionRow(ctx.sessionId)).mailboxProvedAt).toBeNull();
  });

  it("works once, and a newer code makes the older one stop working", async () => {
    const { user, ctx, token } = await enrollingUser();
    await sendEnrolmentCode(ctx);
    const first = await emailedCode(user.username);
    await sendEnrolmentCode(ctx);
    const second = await emailedCode(user.username);
    if (first !== second)
      expect((await rejectionOf(verifyEnrolmentCode(ctx, first))).message).toBe("That code isn't right. Check the latest email and try again.");
    await verifyEnrolmentCode(ctx, second);
    // Used: the same code again is refused, and nothing about the proof changes.
    const proved = (await sessionRow(ctx.sessionId)).mailboxProvedAt;
    await actAs(token);
    expect(await verifyEnrolmentCodeAction({ code: second })).toMatchObject({ ok: false });
    expect((await sessionRow(ctx.sessionId)).mailboxProvedAt).toEqual(proved);
  });

  it("is bound to the session it was sent to: another session of the same user cannot use it, and proves the mailbox itself", async () => {
    const { user, ctx } = await enrollingUser();
    const other = await signIn(user.userId);
    await reauthenticate(other.ctx);
    await sendEnrolmentCode(ctx);
    const code = await emailedCode(user.username);

    // The other session has no code of its own yet; with one, this session's code is still wrong there.
    expect((await rejectionOf(verifyEnrolmentCode(other.ctx, code))).message).toBe("Send yourself a code first.");
    await sendEnrolmentCode(other.ctx);
    const otherCode = await emailedCode(user.username);
    if (otherCode !== code)
      expect((await rejectionOf(verifyEnrolmentCode(other.ctx, code))).message).toBe("That code isn't right. Check the latest email and try again.");
    expect((await sessionRow(other.ctx.sessionId)).mailboxProvedAt).toBeNull();
    expect(await rejectionOf(registering(other.ctx).then((c) => startKeyRegistration(c)))).toMatchObject(PROOF_REQUIRED);

    // A proof in one session is not a proof in another.
    await verifyEnrolmentCode(ctx, code);
    await startKeyRegistration(await registering(ctx));
    expect(await rejectionOf(registering(other.ctx).then((c) => startKeyRegistration(c)))).toMatchObject(PROOF_REQUIRED);
  });

  it("is sent at most three times per 15 minutes per user", async () => {
    const { user, ctx, token } = await enrollingUser();
    for (let i = 0; i < ENROLMENT_CODE_SEND_LIMIT.limit; i++) await sendEnrolmentCode(ctx);
    await actAs(token);
    expect(await sendEnrolmentCodeAction({})).toMatchObject({ ok: false, code: "rate-limited" });
    // Another session of the same user shares the budget.
    const other = await signIn(user.userId);
    expect(await rejectionOf(sendEnrolmentCode(other.ctx))).toMatchObject({ code: "rate-limited", status: 429 });
    expect(await db().emailMessage.count({ where: { to: user.username, template: "enrolment-code" } })).toBe(ENROLMENT_CODE_SEND_LIMIT.limit);
  });
});

describe("users not in enrolment", () => {
  it("register keys and connect apps as before, without any code; they are not sent one either", async () => {
    const org = await createOrg("Not enrolling");
    await setOrgSettings(org.orgId, {});
    const user = await createUser(org.admin);
    const { ctx, token } = await signIn(user.userId);
    expect(ctx.mfa.enrolmentDue).toBe(false);
    await reauthenticate(ctx);

    const registered = await finishKeyRegistration(await registering(ctx), (await keyResponseFor(ctx)).response);
    expect(registered.id).toEqual(expect.any(String));
    const enrolment = await startAuthenticatorEnrolment(await registering(ctx));
    await confirmAuthenticatorEnrolment(await entryPointMailboxProof(ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
    expect(await enrolmentProofOf(ctx)).toEqual({ needed: false, codeSent: false });

    await actAs(token);
    expect(await sendEnrolmentCodeAction({})).toMatchObject({ ok: false });
    expect(await verifyEnrolmentCodeAction({ code: "123456" })).toMatchObject({ ok: false });
    expect(await db().emailMessage.count({ where: { to: user.username, template: "enrolment-code" } })).toBe(0);

    // A user who already has a factor when MFA becomes required is not in enrolment: a second key needs no code.
    await requireMfa(org.orgId);
    const later = await contextOf(token);
    expect(later.mfa.enrolmentDue).toBe(false);
    await finishKeyRegistration(await registering(later), (await keyResponseFor(later)).response);
    expect(await keysOf(user.userId)).toBe(2);
  });
});
