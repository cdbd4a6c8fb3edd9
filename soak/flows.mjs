// What the soak's simulated people do, through the real HTTP flows (the proxy
// in front of both instances). Every change that should email is written to
// the ledger (sure when the response said so, "maybe" when the response was
// lost to a fault), every replay of a single-use secret is tried once more
// and must be refused: `s.violation()` records it if it is not.
import crypto from "node:crypto";
import { Browser } from "./browser.mjs";

export const SUBJECTS = {
  signupCode: /^Confirm your email for Gatehouse$/,
  setPassword: /^Set your password$/,
  deviceCode: /^Your Gatehouse verification code$/,
  keyRegistered: /^A security key was registered/,
  recoveryCodes: /^New recovery codes were generated/,
  temporaryCode: /^An admin issued you a temporary verification code$/,
  passwordReset: /^Reset your Gatehouse password$/,
  passwordChanged: /^Your Gatehouse password was changed$/,
};

const PASSWORD = () => `soak ${crypto.randomBytes(9).toString("base64url")} pass`;

/** Thrown when a step's answer is not what the flow needs; the flow ends there and is counted as failed. */
class FlowFailed extends Error {}

function expectOk(result, step) {
  if (!result.ok) throw new FlowFailed(`${step}: ${result.error ?? JSON.stringify(result).slice(0, 200)}`);
  return result.data;
}

const codeIn = (text) => text.match(/\b(\d{3}\s?\d{3})\b/)?.[1]?.replace(/\s/g, "");

/** A lost response (a killed instance, a proxy 502): the change may or may not have committed. */
// An answer that never arrived whole: the change may or may not have committed. A response cut off after its
// headers (kill -9 mid-body) surfaces as "aborted" with code ECONNRESET: CI once counted such a temporary code as
// not issued while its email was queued.
function lost(error) {
  const said = `${error?.code ?? ""} ${error?.message ?? ""}`;
  return error?.status >= 500 || error?.status === 0 || ["ECONNRESET", "ECONNREFUSED", "EPIPE", "socket hang up", "aborted"].some((s) => said.includes(s));
}

export function newBrowser(s, label) {
  return new Browser({ baseUrl: s.proxyUrl, sourceAddress: s.nextAddress(), actionIds: s.actionIds, record: (entry) => s.recordRequest(label, entry), label });
}

/**
 * Runs a step that should email `to`; the ledger counts it sure on success,
 * "maybe" when the answer was lost (the change may have committed).
 */
async function emailing(s, to, subject, run) {
  try {
    const result = await run();
    s.ledger.expect(to, subject, result.ok ? "sure" : "none");
    return result;
  } catch (error) {
    if (lost(error)) s.ledger.expect(to, subject, "maybe");
    throw error;
  }
}

export async function createOrg(s) {
  const n = s.nextId();
  const org = { slug: `soak-${s.runId}-${n}`, name: `Soak Org ${n}`, admins: [], users: [] };
  const admin = { username: `admin${n}@soak-${s.runId}.test`, password: PASSWORD(), name: `Admin ${n}` };
  const browser = newBrowser(s, "signup");
  const since = Date.now();
  await emailing(s, admin.username, "signupCode", () =>
    browser.action("startSignupAction", "/signup", { orgName: org.name, slug: org.slug, name: admin.name, email: admin.username, password: admin.password }),
  ).then((r) => expectOk(r, "start sign-up"));
  const mail = await s.smtp.waitFor(admin.username, SUBJECTS.signupCode, { since });
  expectOk(await browser.action("completeSignupAction", "/signup", { code: codeIn(mail.text) }), "complete sign-up");
  if (!(await browser.finishLogin())) throw new FlowFailed("sign-up: the new admin got no session");
  admin.browser = browser;
  org.admins.push(admin);
  return org;
}

async function reauth(browser, person) {
  expectOk(await browser.postJson("/api/reauth/password", { password: person.password }), "verify it's you");
}

/** The admin's current Session Settings, as the form loads them (read from the database, as the page does). */
async function currentSettings(s, org) {
  const row = (await s.sql('SELECT s.* FROM "OrgSettings" s JOIN "Org" o ON o.id = s."orgId" WHERE o.slug = $1', [org.slug]))[0];
  const value = row ?? { version: 0, allowSecurityKeys: false, requireMfa: false, allowTotp: true, requireDeviceActivation: true };
  return {
    version: value.version,
    allowSecurityKeys: value.allowSecurityKeys,
    requireMfa: value.requireMfa,
    mfaRequiredFrom: "",
    allowTotp: value.allowTotp,
    requireDeviceActivation: value.requireDeviceActivation,
    reauthWindowMinutes: value.reauthWindowMinutes ?? 10,
    userVerification: value.userVerification ?? "DISCOURAGED",
    authenticatorType: value.authenticatorType ?? "SECURITY_KEYS_ONLY",
    allowedAaguids: value.allowedAaguids ?? [],
    blockedAaguids: value.blockedAaguids ?? [],
    sessionTimeoutMinutes: value.sessionTimeoutMinutes ?? 120,
    lockSessionsToIp: value.lockSessionsToIp ?? false,
  };
}

export async function allowKeys(s, org) {
  const admin = org.admins[0];
  await reauth(admin.browser, admin);
  const settings = await currentSettings(s, org);
  expectOk(await admin.browser.action("saveSessionSettingsAction", "/setup/session-settings", { ...settings, allowSecurityKeys: true }), "allow keys");
}

/** An admin adds someone; they set their password from the emailed link and log in from a new browser (device activation by emailed code). */
export async function addPerson(s, org, role) {
  const admin = org.admins[0];
  const n = s.nextId();
  const person = { username: `${role === "ADMIN" ? "admin" : "user"}${n}@soak-${s.runId}.test`, password: PASSWORD(), name: `Person ${n}`, role };
  await reauth(admin.browser, admin);
  const since = Date.now();
  await emailing(s, person.username, "setPassword", () =>
    admin.browser.action("addUserAction", "/setup/users/new", { name: person.name, username: person.username, email: person.username, role }),
  ).then((r) => (person.id = expectOk(r, "add user").userId));
  const invitation = await s.smtp.waitFor(person.username, SUBJECTS.setPassword, { since });
  const token = invitation.text.match(/\/set-password\/([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new FlowFailed("the set-password email has no link");
  const browser = newBrowser(s, "set-password");
  expectOk(
    await browser.action("setPasswordAction", `/set-password/${token}`, { token, password: person.password, confirmPassword: person.password }),
    "set password",
  );
  // The link is single use.
  const again = await browser
    .action("setPasswordAction", `/set-password/${token}`, { token, password: PASSWORD(), confirmPassword: "x" })
    .catch(() => ({ ok: false }));
  if (again.ok) s.violation("a set-password link was accepted twice");
  person.browser = await loginWithEmailCode(s, person);
  (role === "ADMIN" ? org.admins : org.users).push(person);
  return person;
}

async function passwordStep(s, person, label) {
  const browser = newBrowser(s, label);
  const step = expectOk(await browser.postJson("/api/login", { username: person.username, password: person.password }), "password step");
  return { browser, next: step.next };
}

/** Keeps a copy of a browser's cookies, to replay a step after the real browser used it. */
function cloneOf(s, browser, label) {
  const copy = newBrowser(s, label);
  for (const [name, value] of browser.cookies) copy.cookies.set(name, value);
  return copy;
}

export async function loginWithEmailCode(s, person) {
  const { browser, next } = await passwordStep(s, person, "login-email-code");
  if (next === "verify") {
    const since = Date.now();
    await emailing(s, person.username, "deviceCode", () => browser.postJson("/api/verify/email-code/send", {})).then((r) => expectOk(r, "send code"));
    const mail = await s.smtp.waitFor(person.username, SUBJECTS.deviceCode, { since });
    const replay = cloneOf(s, browser, "replay");
    expectOk(await browser.postJson("/api/verify/email-code", { code: codeIn(mail.text) }), "emailed code");
    const twice = await replay.postJson("/api/verify/email-code", { code: codeIn(mail.text) });
    if (twice.ok) s.violation("an emailed device-activation code was accepted twice");
  }
  if (!browser.hasSession() && !(await browser.finishLogin())) throw new FlowFailed("login by emailed code: no session");
  return browser;
}

export async function registerKey(s, person) {
  await reauth(person.browser, person);
  const options = expectOk(await person.browser.postJson("/api/webauthn/register/options", {}), "registration options");
  const { response, credential } = s.authenticator.register((options.options ?? options).challenge, { attestation: "packed" });
  const registered = await emailing(s, person.username, "keyRegistered", () => person.browser.postJson("/api/webauthn/register/verify", { response }));
  const key = expectOk(registered, "register key");
  // The naming step, as the dialog does it (the email carries the chosen name).
  if (key?.id && s.actionIds.renameKeyAction) {
    await person.browser.action("renameKeyAction", "/settings/advanced", { keyId: key.id, name: `Soak key ${s.nextId()}` }).catch(() => undefined);
  }
  person.key = credential;
  person.hasKey = true;
}

/** Password, then the key (one verification covers device activation), then the session; the assertion and the pending login are replayed and must be refused. */
export async function keyLogin(s, person) {
  const { browser, next } = await passwordStep(s, person, "key-login");
  if (next !== "verify") throw new FlowFailed(`key login: expected verification, got ${next}`);
  const options = expectOk(await browser.postJson("/api/verify/key/options", {}), "key options");
  const response = s.authenticator.assert(person.key, (options.options ?? options).challenge);
  const replay = cloneOf(s, browser, "replay");
  expectOk(await browser.postJson("/api/verify/key", { response }), "key assertion");
  const twice = await replay.postJson("/api/verify/key", { response });
  if (twice.ok) s.violation("a key assertion (its challenge) was accepted twice");
  // The key's answer starts the session itself; older builds leave it to next-auth's callback.
  if (!browser.hasSession() && !(await browser.finishLogin())) throw new FlowFailed("key login: no session");
  if (await replay.finishLogin()) s.violation("a verified pending login made two sessions");
  return browser;
}

export async function recoveryCodeLogin(s, person) {
  await reauth(person.browser, person);
  const generated = await emailing(s, person.username, "recoveryCodes", () => person.browser.action("generateRecoveryCodesAction", "/settings/advanced", {}));
  const { codes } = expectOk(generated, "generate recovery codes");
  const { browser, next } = await passwordStep(s, person, "recovery-login");
  if (next !== "verify") throw new FlowFailed(`recovery login: expected verification, got ${next}`);
  expectOk(await browser.postJson("/api/verify/one-time-code", { kind: "recovery-code", code: codes[0] }), "recovery code");
  if (!browser.hasSession() && !(await browser.finishLogin())) throw new FlowFailed("recovery login: no session");
  const other = await passwordStep(s, person, "replay");
  if (other.next === "verify") {
    const twice = await other.browser.postJson("/api/verify/one-time-code", { kind: "recovery-code", code: codes[0] });
    if (twice.ok) s.violation("a recovery code was accepted twice");
  }
}

export async function temporaryCodeLogin(s, org, person) {
  const admin = org.admins[0];
  await reauth(admin.browser, admin);
  const issued = await emailing(s, person.username, "temporaryCode", () =>
    admin.browser.action("issueTemporaryCodeAction", `/setup/users/${person.id}`, { userId: person.id, hours: 1 }),
  );
  const { code } = expectOk(issued, "issue temporary code");
  const { browser, next } = await passwordStep(s, person, "temporary-code-login");
  if (next !== "verify") throw new FlowFailed(`temporary-code login: expected verification, got ${next}`);
  expectOk(await browser.postJson("/api/verify/one-time-code", { kind: "temporary-code", code }), "temporary code");
  if (!browser.hasSession() && !(await browser.finishLogin())) throw new FlowFailed("temporary-code login: no session");
  const other = await passwordStep(s, person, "replay");
  if (other.next === "verify") {
    const twice = await other.browser.postJson("/api/verify/one-time-code", { kind: "temporary-code", code });
    if (twice.ok) s.violation("a temporary code was accepted twice");
  }
}

/**
 * Two admins of one org save Session Settings at once from the same loaded
 * version, each changing a different field: each save is either saved or
 * refused as stale, never silently overwritten.
 */
export async function settingsRace(s, org) {
  const [a, b] = org.admins;
  await Promise.all([reauth(a.browser, a), reauth(b.browser, b)]);
  const loaded = await currentSettings(s, org);
  const edits = [
    { reauthWindowMinutes: loaded.reauthWindowMinutes === 10 ? 15 : 10 },
    { sessionTimeoutMinutes: loaded.sessionTimeoutMinutes === 120 ? 60 : 120 },
  ];
  const results = await Promise.all(
    [a, b].map((admin, i) =>
      admin.browser.action("saveSessionSettingsAction", "/setup/session-settings", { ...loaded, ...edits[i] }).catch((error) => ({ lost: error })),
    ),
  );
  for (const result of results) {
    if (result.lost) {
      s.settings.lost++;
      if (!lost(result.lost)) throw result.lost;
    } else if (result.ok) {
      s.settings.saved++;
      s.settings.changedFields += result.data.changed;
    } else if (/Someone else changed these settings/.test(result.error)) {
      s.settings.refusedStale++;
    } else {
      throw new FlowFailed(`settings save: ${result.error}`);
    }
  }
}

/**
 * "Forgot your password?" from a new browser, the emailed link, a new password:
 * the link works once, the person's other sessions end on both instances, and
 * the next login still verifies (key or emailed code).
 */
export async function passwordReset(s, person) {
  const browser = newBrowser(s, "forgot-password");
  const since = Date.now();
  await emailing(s, person.username, "passwordReset", () => browser.action("forgotPasswordAction", "/forgot-password", { username: person.username })).then(
    (r) => expectOk(r, "forgot password"),
  );
  const mail = await s.smtp.waitFor(person.username, SUBJECTS.passwordReset, { since });
  const token = mail.text.match(/\/set-password\/([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new FlowFailed("the reset email has no link");
  const password = PASSWORD();
  const before = person.browser;
  await emailing(s, person.username, "passwordChanged", () =>
    browser.action("setPasswordAction", `/set-password/${token}`, { token, password, confirmPassword: password }),
  ).then((r) => expectOk(r, "set new password"));
  person.password = password;
  const again = await browser
    .action("setPasswordAction", `/set-password/${token}`, { token, password: PASSWORD(), confirmPassword: "x" })
    .catch(() => ({ ok: false }));
  if (again.ok) s.violation("a password-reset link was accepted twice");
  for (const port of s.instancePorts) {
    const page = await before.page("/home", { port });
    if (page.status === 200) s.violation(`a session from before a password reset still opened /home on the instance at port ${port}`);
  }
  person.browser = person.hasKey ? await keyLogin(s, person) : await loginWithEmailCode(s, person);
}

/** A session ended in one browser must be over on both instances at once. */
export async function sessionRevocation(s, person) {
  const browser = person.hasKey ? await keyLogin(s, person) : await loginWithEmailCode(s, person);
  const stolen = cloneOf(s, browser, "revoked");
  const csrf = JSON.parse((await browser.request("GET", "/api/auth/csrf")).text).csrfToken;
  await browser.request("POST", "/api/auth/signout", {
    body: new URLSearchParams({ csrfToken: csrf, json: "true" }).toString(),
    type: "application/x-www-form-urlencoded",
  });
  for (const port of s.instancePorts) {
    const page = await stolen.page("/home", { port });
    if (page.status === 200) s.violation(`a logged-out session still opened /home on the instance at port ${port}`);
  }
}

/** Wrong passwords alternate between the two instances: the per-username limit must count them together. */
export async function sharedRateLimit(s, person, limit) {
  for (let i = 0; i < limit; i++) {
    const browser = newBrowser(s, "rate-limit");
    await browser.postJson("/api/login", { username: person.username, password: "wrong password, not this one" }, { port: s.instancePorts[i % 2] });
  }
  for (const port of s.instancePorts) {
    const browser = newBrowser(s, "rate-limit");
    const result = await browser.postJson("/api/login", { username: person.username, password: person.password }, { port });
    if (result.ok) s.violation(`after ${limit} failures split over both instances, the instance at port ${port} still accepted the password`);
  }
}

export { FlowFailed };
