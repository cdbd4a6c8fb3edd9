import { describe, expect, it, vi } from "vitest";
import { POST as login } from "@/app/api/login/route";
import { POST as verifyCode } from "@/app/api/verify/email-code/route";
import { POST as sendCode } from "@/app/api/verify/email-code/send/route";
import { POST as keyOptions } from "@/app/api/verify/key/options/route";
import { POST as oneTimeCode } from "@/app/api/verify/one-time-code/route";
import { deviceCookieName } from "@/lib/auth/login/devices";
import { authenticateWithPassword, passwordLoginsInProgress } from "@/lib/auth/login/login";
import { pendingLoginCookieName } from "@/lib/auth/login/pending-login";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { TEST_PASSWORD, createOrg, createUser } from "../support/factories";
import { hashingBacklog } from "../support/hashing-backlog";
import { requestFromNewIp } from "../support/requests";

useTestDatabase();

const ORIGIN = "http://localhost:3000";

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "x-forwarded-for": "203.0.113.9", "user-agent": "Chrome/156.0 Linux", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** name=value of every Set-Cookie, and the raw headers. */
function setCookies(response: Response): { values: Record<string, string>; raw: string[] } {
  const raw = response.headers.getSetCookie();
  return { raw, values: Object.fromEntries(raw.map((c) => c.split(";")[0]!.split("=") as [string, string])) };
}

describe("POST /api/login and /api/verify/*", () => {
  it("answers a correct password with a pending-login cookie (httpOnly) and 'verify', never a session", async () => {
    const org = await createOrg("Routes");
    const user = await createUser(org.admin);
    const response = await login(post("/api/login", { username: user.username, password: TEST_PASSWORD }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, data: { next: "verify" } });
    const cookies = setCookies(response);
    expect(cookies.values[pendingLoginCookieName()]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookies.raw[0]).toMatch(/HttpOnly; SameSite=Lax/);
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);

    // With the cookie, /verify's endpoints work: a code is sent, and a wrong one is a 400 with a field error.
    const cookie = `${pendingLoginCookieName()}=${cookies.values[pendingLoginCookieName()]}`;
    expect((await sendCode(post("/api/verify/email-code/send", {}, { cookie }))).status).toBe(200);
    const wrong = await verifyCode(post("/api/verify/email-code", { code: "12345" }, { cookie }));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ ok: false, fieldErrors: { code: "Enter the 6-digit code from the email." } });
    expect(setCookies(wrong).values[deviceCookieName()]).toBeUndefined();

    // Recovery, temporary and app codes: an unknown kind or an empty code is a 400 that changes nothing.
    const before = await tableCounts();
    for (const body of [
      { kind: "master-key", code: "x" },
      { kind: "recovery-code", code: "" },
      { kind: "temporary-code", code: "x".repeat(65) },
    ]) {
      const refused = await oneTimeCode(post("/api/verify/one-time-code", body, { cookie }));
      expect(refused.status).toBe(400);
      expect(setCookies(refused).raw).toEqual([]);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("answers a wrong password with the generic 401 and sets no cookie", async () => {
    const org = await createOrg("Wrong");
    const response = await login(post("/api/login", { username: org.adminUsername, password: "not-the-password" }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ok: false, error: "Check your username and password" });
    expect(setCookies(response).raw).toEqual([]);
  });

  it("refuses cross-origin and malformed requests, changing nothing", async () => {
    const org = await createOrg("Bad");
    const before = await tableCounts();
    const crossSite = await login(post("/api/login", { username: org.adminUsername, password: TEST_PASSWORD }, { origin: "https://evil.example" }));
    expect(crossSite.status).toBe(403);
    expect((await login(post("/api/login", "{not json"))).status).toBe(400);
    expect((await login(post("/api/login", { username: "x".repeat(300), password: TEST_PASSWORD }))).status).toBe(400);
    // A cross-site fetch without an Origin header, and a body that is not declared JSON (a form post), are refused too.
    const body = { username: org.adminUsername, password: TEST_PASSWORD };
    expect((await login(post("/api/login", body, { origin: "", "sec-fetch-site": "cross-site" }))).status).toBe(403);
    const form = await login(post("/api/login", body, { "content-type": "text/plain" }));
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ ok: false, code: "unsupported-media-type" });
    // A form-encoded body is the login form posted before JavaScript ran (below): this one carries no fields, so it is sent back to /login.
    const notAForm = await login(post("/api/login", body, { "content-type": "application/x-www-form-urlencoded" }));
    expect([notAForm.status, notAForm.headers.get("location")]).toEqual([303, "/login?reason=login-failed"]);
    expect(await tableCounts()).toEqual(before);
  });

  it("answers /api/verify/* without a live pending login with 401 'login-expired'", async () => {
    for (const cookie of [undefined, `${pendingLoginCookieName()}=${"x".repeat(43)}`]) {
      const response = await keyOptions(post("/api/verify/key/options", {}, cookie ? { cookie } : {}));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ ok: false, error: "Your login expired. Log in again.", code: "login-expired" });
    }
  });

  it("turns a login away with 503 and Retry-After while PASSWORD_LOGIN_LIMIT logins are in progress, counting and recording nothing", async () => {
    const org = await createOrg("Busy");
    const [busyUser, other] = [await createUser(org.admin), await createUser(org.admin)];
    const ipSlots = () => db().rateLimit.findMany({ where: { key: { contains: "203.0.113.9" } }, orderBy: { key: "asc" } });
    const ipSlotsBefore = await ipSlots();
    vi.stubEnv("PASSWORD_LOGIN_LIMIT", "2");
    resetEnvCache();
    // Every hashing thread busy with more waiting, so the two logins below are still in progress when the third comes.
    // Long enough to outlast the two logins' username lookups on a loaded machine: they are admitted only after them.
    const backlog = hashingBacklog({ ip: null, account: other.username, orgId: org.orgId });
    const inProgress = [requestFromNewIp(), requestFromNewIp()].map((request) => authenticateWithPassword(other.username, TEST_PASSWORD, request));
    try {
      // Admitted once their usernames are looked up.
      await vi.waitFor(() => expect(passwordLoginsInProgress()).toBe(2), { timeout: 10_000 });
      const busy = await login(post("/api/login", { username: busyUser.username, password: TEST_PASSWORD }));
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("5");
      expect(await busy.json()).toEqual({ ok: false, error: "Gatehouse is busy right now. Try again in a few seconds.", code: "busy" });
      expect(setCookies(busy).raw).toEqual([]);
    } finally {
      await Promise.all([...backlog, ...inProgress]);
      vi.unstubAllEnvs();
      resetEnvCache();
    }
    // Nothing of the turned-away login: no history row, no rate-limit slot for its username or its IP.
    expect(await db().loginAttempt.count({ where: { username: busyUser.username } })).toBe(0);
    expect(await db().rateLimit.count({ where: { key: { contains: busyUser.username } } })).toBe(0);
    expect(await ipSlots()).toEqual(ipSlotsBefore);
    expect(passwordLoginsInProgress()).toBe(0);
    const answered = await login(post("/api/login", { username: busyUser.username, password: TEST_PASSWORD }));
    expect(answered.status).toBe(200);
  });
});

describe("the login form posted before JavaScript runs", () => {
  const formPost = (body: Record<string, string>, headers: Record<string, string> = {}) =>
    new Request(`${ORIGIN}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, "x-forwarded-for": "203.0.113.10", ...headers },
      body: new URLSearchParams(body).toString(),
    });

  it("logs in with a redirect, and a wrong password redirects to the generic message, nothing typed in the URL", async () => {
    const org = await createOrg("Form login");
    const user = await createUser(org.admin);
    const ok = await login(formPost({ username: user.username, password: TEST_PASSWORD }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/verify");
    expect(setCookies(ok).values[pendingLoginCookieName()]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const wrong = await login(formPost({ username: user.username, password: "not-the-password" }));
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe("/login?reason=login-failed");
    expect(wrong.headers.get("location")).not.toContain(user.username);
    expect(setCookies(wrong).raw).toEqual([]);
  });

  it("refuses a form from another site, or one that proves no origin, before checking anything", async () => {
    const org = await createOrg("Form csrf");
    const user = await createUser(org.admin);
    const before = await tableCounts();
    const attempts: Record<string, string>[] = [{ origin: "https://evil.example" }, { origin: "", "sec-fetch-site": "cross-site" }, { origin: "" }];
    for (const headers of attempts) {
      const response = await login(formPost({ username: user.username, password: TEST_PASSWORD }, headers));
      expect(response.status).toBe(403);
      expect(setCookies(response).raw).toEqual([]);
    }
    expect(await tableCounts()).toEqual(before);
  });
});
