import { decode } from "next-auth/jwt";
import { registering } from "../support/step-up";
import { describe, expect, it } from "vitest";
import { POST as login } from "@/app/api/login/route";
import { POST as keyOptions } from "@/app/api/verify/key/options/route";
import { POST as verifyKey } from "@/app/api/verify/key/route";
import { sessionCookieName } from "@/lib/auth/options";
import { pendingLoginCookieName } from "@/lib/auth/login/pending-login";
import { resolveSession } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { authSecret } from "@/lib/env";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { TEST_PASSWORD, TEST_REQUEST, createOrg, createUser, setOrgPolicy, signIn } from "../support/factories";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

useTestDatabase();

const ORIGIN = "http://localhost:3000";

function post(path: string, body: unknown, cookie?: string) {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: ORIGIN,
      "x-forwarded-for": TEST_REQUEST.ip,
      "user-agent": TEST_REQUEST.userAgent,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
  });
}

function setCookies(response: Response): Map<string, { value: string; raw: string }> {
  return new Map(response.headers.getSetCookie().map((raw) => [raw.split("=")[0]!, { value: decodeURIComponent(raw.split(";")[0]!.split("=")[1]!), raw }]));
}

async function keyUser() {
  const org = await createOrg("KeyStep");
  await setOrgSettings(org.orgId, {});
  const user = await createUser(org.admin);
  const { ctx } = await signIn(user.userId);
  await reauthenticate(ctx);
  const { response, authenticator, credential } = await keyResponseFor(ctx, { attestation: "packed" });
  await finishKeyRegistration(await registering(ctx), response);
  await db().session.deleteMany({ where: { userId: user.userId } });
  return { user, authenticator, credential };
}

/** POST /api/login with the password: the pending-login cookie it sets. */
async function pendingCookie(username: string): Promise<string> {
  const response = await login(post("/api/login", { username, password: TEST_PASSWORD }));
  expect(await response.json()).toEqual({ ok: true, data: { next: "verify" } });
  return `${pendingLoginCookieName()}=${setCookies(response).get(pendingLoginCookieName())!.value}`;
}

describe("the session starts in the response that completes the login", () => {
  it("starts the session in the response that verifies the key: a next-auth cookie naming a live session, the pending login used up", async () => {
    const { user, authenticator, credential } = await keyUser();
    const cookie = await pendingCookie(user.username);

    const options = await keyOptions(post("/api/verify/key/options", {}, cookie));
    const { data } = (await options.json()) as { data: { options: { challenge: string } } };
    const verified = await verifyKey(post("/api/verify/key", { response: authenticator.assert(credential, data.options.challenge) }, cookie));
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({ ok: true, data: { verified: true, signedIn: true } });

    const cookies = setCookies(verified);
    const session = cookies.get(sessionCookieName())!;
    expect(session.raw).toMatch(/; HttpOnly; SameSite=Lax/);
    expect(session.raw).toMatch(/Max-Age=2592000/);
    // The cookie is next-auth's own JWT: next-auth decodes it, and it names the new server-side session.
    const jwt = await decode({ token: session.value, secret: authSecret() });
    const live = await resolveSession(jwt?.sid, TEST_REQUEST);
    expect(live).toMatchObject({ userId: user.userId });
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(1);
    expect(await db().loginAttempt.count({ where: { userId: user.userId, result: "Success" } })).toBe(1);
    expect(cookies.get(pendingLoginCookieName())?.raw).toMatch(/Max-Age=0/);

    // The pending login is spent: replaying the request (or asking for new options) gets no second session.
    const before = await tableCounts();
    const replay = await verifyKey(post("/api/verify/key", { response: authenticator.assert(credential, data.options.challenge) }, cookie));
    expect(replay.status).toBe(401);
    expect(setCookies(replay).has(sessionCookieName())).toBe(false);
    expect((await keyOptions(post("/api/verify/key/options", {}, cookie))).status).toBe(401);
    expect((await tableCounts()).sessions).toBe(before.sessions);
  });

  it("a password that is all the login needs starts the session in the /api/login response; a wrong one sets no cookie", async () => {
    const org = await createOrg("PasswordOnly");
    const user = await createUser(org.admin);
    await setOrgPolicy(org.admin, { requireDeviceActivation: false });

    const wrong = await login(post("/api/login", { username: user.username, password: "wrong-password-123" }));
    expect(wrong.status).toBe(401);
    expect(setCookies(wrong).size).toBe(0);

    const response = await login(post("/api/login", { username: user.username, password: TEST_PASSWORD }));
    expect(await response.json()).toEqual({ ok: true, data: { next: "complete", signedIn: true } });
    const cookies = setCookies(response);
    // No pending login is left behind in the browser (one from an earlier attempt is cleared).
    expect(cookies.get(pendingLoginCookieName())?.raw).toMatch(/Max-Age=0/);
    const jwt = await decode({ token: cookies.get(sessionCookieName())!.value, secret: authSecret() });
    expect(await resolveSession(jwt?.sid, TEST_REQUEST)).toMatchObject({ userId: user.userId });
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(1);
  });

  it("sets no session cookie when the key's signature is wrong", async () => {
    const { user, authenticator, credential } = await keyUser();
    const cookie = await pendingCookie(user.username);
    const options = await keyOptions(post("/api/verify/key/options", {}, cookie));
    const { data } = (await options.json()) as { data: { options: { challenge: string } } };
    const refused = await verifyKey(
      post("/api/verify/key", { response: authenticator.assert(credential, data.options.challenge, { tamperSignature: true }) }, cookie),
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(setCookies(refused).has(sessionCookieName())).toBe(false);
    expect(await db().session.count({ where: { userId: user.userId } })).toBe(0);
  });
});
