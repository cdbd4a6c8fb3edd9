import crypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { completeSignupAction, resendSignupCodeAction, startSignupAction } from "@/app/(auth)/signup/actions";
import { deviceCookieName } from "@/lib/auth/login/devices";
import { authenticateWithPassword } from "@/lib/auth/login/login";
import { verifyPassword } from "@/lib/auth/passwords/password";
import { completePendingLogin, LoginExpiredError, pendingLoginCookieName } from "@/lib/auth/login/pending-login";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { RateLimitedError, UserFacingError } from "@/lib/errors";
import { createOrgWithAdmin, SLUG_TAKEN, USERNAME_TAKEN } from "@/lib/orgs/mutations";
import {
  completeSignup,
  resendSignupCode,
  SIGNUP_CODE_LIMIT,
  SIGNUP_CODE_MAX_ATTEMPTS,
  SIGNUP_DONE,
  SIGNUP_GONE,
  SIGNUP_TOO_MANY_CODES,
  signupCookieName,
  signupIpLimit,
  SignupExpiredError,
  startSignup,
} from "@/lib/orgs/signup";
import type { SignupInput } from "@/lib/validation/account";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST } from "../support/factories";
import { actAs, cookieSet } from "../support/next-request";
import { requestFromNewIp } from "../support/requests";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);

useTestDatabase();

// "Create your org" proves the email address with an emailed code before the
// org and its admin exist (DESIGN.md section 9, Abuse). Each test signs up
// from an IP of its own, so the per-IP limit of one cannot leak into another.

let counter = 0;
/** A browser's address no other test uses, as the server would write it (canonical). */
const newIp = () => `198.51.100.${++counter % 250}`;

function signup(overrides: Partial<SignupInput> = {}): SignupInput {
  counter += 1;
  const id = `${counter}-${Date.now().toString(36)}`;
  return { orgName: `Acme ${counter}`, slug: `acme-${id}`, name: "Ada Lovelace", email: `ada.${id}@acme.test`, password: TEST_PASSWORD, ...overrides };
}

/** The code in the newest sign-up email to an address, read from the outbox as the mail worker would send it. */
async function emailedCode(address: string): Promise<string> {
  const mail = await db().emailMessage.findFirstOrThrow({ where: { to: address, template: "signup-code" }, orderBy: { createdAt: "desc" } });
  const code = /^(\d{6})$/m.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in the sign-up email to ${address}`);
  return code;
}

const wrongCodeFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

/** What sign-up can create: nothing of it may appear when a step is refused. */
async function signupCounts() {
  const [orgs, users, auditEvents, pendingSignups, emailMessages, pendingLogins, activatedDevices] = await Promise.all([
    db().org.count(),
    db().user.count(),
    db().auditEvent.count(),
    db().pendingSignup.count(),
    db().emailMessage.count(),
    db().pendingLogin.count(),
    db().activatedDevice.count(),
  ]);
  return { orgs, users, auditEvents, pendingSignups, emailMessages, pendingLogins, activatedDevices };
}

async function expectRefusal(promise: Promise<unknown>, type: abstract new (...args: never[]) => UserFacingError, message: string | RegExp) {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(type);
  expect(error.message).toMatch(message);
  return error as UserFacingError;
}

/** Step 1 through the service, from a new IP: the cookie token and the emailed code. */
async function started(input = signup(), now?: Date) {
  const request = requestFromNewIp();
  const { token } = await startSignup(input, request, now);
  return { input, request, token, code: await emailedCode(input.email) };
}

describe("sign-up, step 1", () => {
  it("creates no org and no user: it keeps a pending sign-up, emails a code to the address and sets a cookie", async () => {
    const ip = newIp();
    await actAs(null, ip);
    const input = signup({ email: "Ada.Step1@Acme-Signup.Test" });
    const before = await signupCounts();

    expect(await startSignupAction(input)).toEqual({ ok: true, data: { emailHint: "A•••@Acme-Signup.Test" } });

    expect(await signupCounts()).toEqual({ ...before, pendingSignups: before.pendingSignups + 1, emailMessages: before.emailMessages + 1 });
    expect(await db().org.count({ where: { slug: input.slug } })).toBe(0);
    expect(await db().user.count({ where: { username: "ada.step1@acme-signup.test" } })).toBe(0);

    const mail = await db().emailMessage.findFirstOrThrow({ where: { to: input.email } });
    expect(mail).toMatchObject({ orgId: null, template: "signup-code", subject: "Confirm your email for Gatehouse" });
    const code = await emailedCode(input.email);
    expect(mail.subject).not.toContain(code);
    expect(mail.text).toContain(input.orgName);

    // Neither the password nor the code is stored readable; the cookie names the row by its hash only.
    const row = await db().pendingSignup.findFirstOrThrow({ where: { email: input.email } });
    expect(row).toMatchObject({ slug: input.slug, orgName: input.orgName, ip, attempts: 0, completedAt: null });
    expect(JSON.stringify(row)).not.toContain(TEST_PASSWORD);
    expect(row.codeHash).toBe(crypto.createHash("sha256").update(`${row.id}:${code}`).digest("base64url"));
    expect(await verifyPassword(TEST_PASSWORD, row.passwordHash)).toBe(true);
    const token = cookieSet(signupCookieName());
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(row.tokenHash).not.toBe(token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(9 * 60_000);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(10 * 60_000 + 1000);
  });

  it("answers bad fields with field errors and creates nothing", async () => {
    await actAs(null, newIp());
    const before = await signupCounts();
    const form = new FormData();
    for (const [key, value] of Object.entries({ orgName: "Acme", slug: "Not A Slug", name: "Ada", email: "ada-at-acme", password: "short" })) {
      form.set(key, value);
    }

    expect(await startSignupAction(form)).toEqual({
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: {
        slug: "Use lowercase letters, digits and single hyphens, e.g. acme-corp.",
        email: "Enter a valid email address.",
        password: "Use at least 12 characters.",
      },
    });
    expect(await signupCounts()).toEqual(before);
  });

  it("refuses a taken slug and an email that is already a username (in any case) with field errors, and emails nothing", async () => {
    const first = signup();
    await createOrgWithAdmin(first);
    const before = await signupCounts();

    const error = await expectRefusal(
      startSignup(signup({ slug: first.slug, email: first.email.toUpperCase() }), requestFromNewIp()),
      UserFacingError,
      "Check the highlighted fields.",
    );

    expect(error.fieldErrors).toEqual({ slug: SLUG_TAKEN, email: USERNAME_TAKEN });
    expect(await signupCounts()).toEqual(before);
  });

  it("reports every problem at once: a taken URL name and email together with a short password", async () => {
    const first = signup();
    await createOrgWithAdmin(first);
    await actAs(null, newIp());
    const before = await signupCounts();
    const form = new FormData();
    for (const [key, value] of Object.entries({ orgName: "Acme", slug: first.slug, name: "Ada", email: first.email, password: "short" })) {
      form.set(key, value);
    }
    expect(await startSignupAction(form)).toEqual({
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: { slug: SLUG_TAKEN, email: USERNAME_TAKEN, password: "Use at least 12 characters." },
    });
    expect(await signupCounts()).toEqual(before);
  });

  it("deletes pending sign-ups whose code expired more than a day ago", async () => {
    const old = await started(signup(), new Date(Date.now() - 2 * 24 * 60 * 60_000));
    const recent = await started(signup(), new Date(Date.now() - 60 * 60_000));

    await started();

    expect(await db().pendingSignup.count({ where: { email: old.input.email } })).toBe(0);
    expect(await db().pendingSignup.count({ where: { email: recent.input.email } })).toBe(1);
  });
});

describe("sign-up, step 2", () => {
  it("the emailed code creates exactly one org and its admin, audited, and signs the admin in on this browser, which it activates", async () => {
    const ip = newIp();
    await actAs(null, ip);
    const input = signup({ email: "Ada.Lovelace@Acme-Verified.Test" });
    expect((await startSignupAction(input)).ok).toBe(true);
    const before = await signupCounts();

    const result = await completeSignupAction({ code: ` ${(await emailedCode(input.email)).replace(/(\d{3})/, "$1 ")}` });

    expect(result).toEqual({ ok: true, data: { username: "ada.lovelace@acme-verified.test" } });
    const org = await db().org.findUniqueOrThrow({ where: { slug: input.slug } });
    expect(org.name).toBe(input.orgName);
    const admin = await db().user.findUniqueOrThrow({ where: { claimedUsername: "ada.lovelace@acme-verified.test" } });
    expect(admin).toMatchObject({ orgId: org.id, email: input.email, name: "Ada Lovelace", role: "ADMIN", isActive: true });
    expect(await verifyPassword(TEST_PASSWORD, admin.passwordHash)).toBe(true);
    expect(await db().auditEvent.findMany({ where: { orgId: org.id } })).toEqual([
      expect.objectContaining({ action: "Created org", actorId: admin.id, newValue: `${org.name} (${org.slug})`, ip }),
    ]);
    expect(await signupCounts()).toEqual({
      ...before,
      orgs: before.orgs + 1,
      users: before.users + 1,
      auditEvents: before.auditEvents + 1,
      pendingLogins: before.pendingLogins + 1,
      activatedDevices: before.activatedDevices + 1,
    });
    // The pending sign-up is used up and keeps neither the password hash nor the code's; its cookie is cleared.
    expect(await db().pendingSignup.findFirstOrThrow({ where: { email: input.email } })).toMatchObject({
      passwordHash: "",
      codeHash: "",
      completedAt: expect.any(Date),
    });
    expect(cookieSet(signupCookieName())).toBe("");

    // The verified pending login becomes a session exactly once.
    const pending = cookieSet(pendingLoginCookieName());
    const { sessionToken } = await completePendingLogin(pending, TEST_REQUEST);
    expect(await resolveSession(sessionToken, TEST_REQUEST)).toMatchObject({ userId: admin.id });
    await expect(completePendingLogin(pending, TEST_REQUEST)).rejects.toBeInstanceOf(LoginExpiredError);

    // The next login from this browser needs no device activation; from another browser it does.
    const device = cookieSet(deviceCookieName());
    expect(await db().activatedDevice.count({ where: { userId: admin.id, ip } })).toBe(1);
    const again = await authenticateWithPassword(admin.username, TEST_PASSWORD, { ...requestFromNewIp(), deviceCookie: device });
    expect(again.next).toBe("complete");
    const elsewhere = await authenticateWithPassword(admin.username, TEST_PASSWORD, requestFromNewIp());
    expect(elsewhere).toMatchObject({ next: "verify", needs: { secondFactor: false, deviceActivation: true } });
  });

  it("refuses a code that is not 6 digits on the code field", async () => {
    await actAs(null, newIp());
    expect(await completeSignupAction({ code: "12ab56" })).toEqual({
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: { code: "Enter the 6-digit code from the email." },
    });
  });

  it("a used sign-up cannot be used again", async () => {
    const { token, code, request } = await started();
    await completeSignup(token, code, request);
    const before = await signupCounts();

    const error = await expectRefusal(completeSignup(token, code, request), SignupExpiredError, SIGNUP_DONE);
    expect(error.fieldErrors).toBeUndefined();
    await expectRefusal(resendSignupCode(token, request), SignupExpiredError, SIGNUP_DONE);
    expect(await signupCounts()).toEqual(before);
  });

  it("5 wrong codes end the sign-up: the right code and a new code are refused after them, and nothing is created", async () => {
    const { input, token, code, request } = await started();
    const before = await signupCounts();

    for (let i = 1; i < SIGNUP_CODE_MAX_ATTEMPTS; i++) {
      const error = await expectRefusal(
        completeSignup(token, wrongCodeFor(code), request),
        UserFacingError,
        "That code isn't right. Check the latest email and try again.",
      );
      expect(error).not.toBeInstanceOf(SignupExpiredError);
      expect(error.fieldErrors).toEqual({ code: "That code isn't right." });
    }
    await expectRefusal(completeSignup(token, wrongCodeFor(code), request), SignupExpiredError, SIGNUP_TOO_MANY_CODES);
    await expectRefusal(completeSignup(token, code, request), SignupExpiredError, SIGNUP_TOO_MANY_CODES);
    await expectRefusal(resendSignupCode(token, request), SignupExpiredError, SIGNUP_TOO_MANY_CODES);

    expect(await signupCounts()).toEqual(before);
    expect(await db().org.count({ where: { slug: input.slug } })).toBe(0);
    expect(await db().pendingSignup.findFirstOrThrow({ where: { email: input.email } })).toMatchObject({
      attempts: SIGNUP_CODE_MAX_ATTEMPTS,
      completedAt: null,
    });
  });

  it("parallel guesses are all counted: no more than 5 are ever compared", async () => {
    const { input, token, code, request } = await started();

    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => completeSignup(token, wrongCodeFor(code), request)));

    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect((await db().pendingSignup.findFirstOrThrow({ where: { email: input.email } })).attempts).toBe(SIGNUP_CODE_MAX_ATTEMPTS);
    await expectRefusal(completeSignup(token, code, request), SignupExpiredError, SIGNUP_TOO_MANY_CODES);
    expect(await db().org.count({ where: { slug: input.slug } })).toBe(0);
  });

  it("an expired code is refused; a new code works and replaces the old one", async () => {
    const { input, token, code, request } = await started(signup(), new Date(Date.now() - 11 * 60_000));
    const before = await signupCounts();

    const expired = await expectRefusal(completeSignup(token, code, request), UserFacingError, "That code has expired. Send a new one.");
    expect(expired.fieldErrors).toEqual({ code: "That code has expired." });
    expect(await signupCounts()).toEqual(before);

    await resendSignupCode(token, request);
    const fresh = await emailedCode(input.email);
    expect(await db().emailMessage.count({ where: { to: input.email, template: "signup-code", orgId: null } })).toBe(2);
    if (fresh !== code) await expectRefusal(completeSignup(token, code, request), UserFacingError, "That code isn't right.");
    const created = await completeSignup(token, fresh, request);
    expect(created.username).toBe(input.email);
    expect(await db().org.count({ where: { slug: input.slug } })).toBe(1);
  });

  it("another browser's sign-up does not take this one's code, and no cookie is no sign-up", async () => {
    const mine = await started();
    const theirs = await started();

    // The attacker's own pending sign-up with the victim's code: a wrong code for theirs (codes are bound to their row).
    await expectRefusal(
      completeSignup(theirs.token, mine.code === theirs.code ? wrongCodeFor(mine.code) : mine.code, theirs.request),
      UserFacingError,
      "That code isn't right.",
    );
    await expectRefusal(completeSignup("made-up-token", mine.code, theirs.request), SignupExpiredError, SIGNUP_GONE);
    await actAs(null, theirs.request.ip!);
    expect(await completeSignupAction({ code: mine.code })).toEqual({ ok: false, error: SIGNUP_GONE, code: "signup-expired" });
    expect(await resendSignupCodeAction({})).toEqual({ ok: false, error: SIGNUP_GONE, code: "signup-expired" });
    expect(await db().org.count({ where: { slug: { in: [mine.input.slug, theirs.input.slug] } } })).toBe(0);

    // The rightful browser is unaffected.
    await completeSignup(mine.token, mine.code, mine.request);
    expect(await db().org.count({ where: { slug: mine.input.slug } })).toBe(1);
  });

  it("two requests racing with the right code create one org", async () => {
    const { input, token, code, request } = await started();
    const before = await signupCounts();

    const outcomes = await Promise.allSettled([completeSignup(token, code, request), completeSignup(token, code, request)]);

    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect(await db().org.count({ where: { slug: input.slug } })).toBe(1);
    expect(await signupCounts()).toEqual({ ...before, orgs: before.orgs + 1, users: before.users + 1, auditEvents: before.auditEvents + 1 });
  });

  it("a slug taken between the steps is a clear refusal at step 2, and creates nothing", async () => {
    const { input, token, code, request } = await started();
    await createOrgWithAdmin(signup({ slug: input.slug }));
    const before = await signupCounts();

    const error = await expectRefusal(
      completeSignup(token, code, request),
      UserFacingError,
      `The URL name ${input.slug} was taken while you were confirming your email. Go back and choose another.`,
    );

    expect(error.fieldErrors).toEqual({ slug: SLUG_TAKEN });
    expect(await signupCounts()).toEqual(before);
    expect(await db().user.count({ where: { username: input.email } })).toBe(0);
  });

  it("ignores an org id or role smuggled into either step", async () => {
    const victim = await createOrgWithAdmin(signup());
    await actAs(null, newIp());
    const input = signup();
    expect((await startSignupAction({ ...input, orgId: victim.orgId, role: "STANDARD", id: victim.userId })).ok).toBe(true);

    const result = await completeSignupAction({ code: await emailedCode(input.email), orgId: victim.orgId, role: "STANDARD", email: "other@acme.test" });

    expect(result).toEqual({ ok: true, data: { username: input.email } });
    const user = await db().user.findUniqueOrThrow({ where: { claimedUsername: input.email } });
    expect(user.orgId).not.toBe(victim.orgId);
    expect(user.role).toBe("ADMIN");
    expect(await db().user.count({ where: { orgId: victim.orgId } })).toBe(1);
  });
});

describe("sign-up throttling", () => {
  it(`one IP may start ${signupIpLimit().limit} sign-ups an hour; the next answers 429 and creates and emails nothing`, async () => {
    const ip = newIp();
    await actAs(null, ip);
    for (let i = 0; i < signupIpLimit().limit; i++) expect((await startSignupAction(signup())).ok).toBe(true);
    const before = await signupCounts();

    const refused = await startSignupAction(signup());
    const error = await expectRefusal(
      startSignup(signup(), { ip, userAgent: TEST_REQUEST.userAgent }),
      RateLimitedError,
      /^Too many attempts\. Try again in \d+ minutes?\.$/,
    );

    expect(refused).toMatchObject({ ok: false, code: "rate-limited" });
    expect(error.status).toBe(429);
    expect(await signupCounts()).toEqual(before);
    // Another IP is not held back.
    await actAs(null, newIp());
    expect((await startSignupAction(signup())).ok).toBe(true);
  });

  it(`one address gets at most ${SIGNUP_CODE_LIMIT.limit} codes in 15 minutes, from any IP and by "Send a new code" too; the excess answers 429 and sends nothing`, async () => {
    const email = signup().email;
    const first = await started(signup({ email }));
    await resendSignupCode(first.token, first.request);
    await startSignup(signup({ email }), requestFromNewIp());
    expect(await db().emailMessage.count({ where: { to: email } })).toBe(SIGNUP_CODE_LIMIT.limit);
    const before = await signupCounts();

    const fromElsewhere = await expectRefusal(startSignup(signup({ email }), requestFromNewIp()), RateLimitedError, /^Too many attempts/);
    const resent = await expectRefusal(resendSignupCode(first.token, first.request), RateLimitedError, /^Too many attempts/);

    expect([fromElsewhere.status, resent.status]).toEqual([429, 429]);
    expect(await signupCounts()).toEqual(before);
    expect(await db().org.count()).toBe(before.orgs);
  });
});
