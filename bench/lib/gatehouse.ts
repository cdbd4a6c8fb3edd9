import { SoftAuthenticator, type SoftCredential } from "../../tests/support/soft-authenticator";
import { Browser, expectOk } from "./browser";

// Gatehouse's login as its own pages drive it: POST /api/login (password);
// on /verify the key ceremony (options, then the signed answer); the session
// is next-auth's cookie. When /api/verify/key already set it, the login is
// done; otherwise the page finishes with next-auth's credentials sign-in
// (GET /api/auth/csrf, POST /api/auth/callback/credentials).

export const SESSION_COOKIE = "gatehouse.session";
export const PENDING_COOKIE = "gatehouse.pending-login";

export class GatehouseClient extends Browser {
  requests = 0;

  override async json(path: string, body?: unknown) {
    this.requests += 1;
    return super.json(path, body);
  }
  override async form(path: string, fields: Record<string, string>) {
    this.requests += 1;
    return super.form(path, fields);
  }
  override async get(path: string) {
    this.requests += 1;
    return super.get(path);
  }
}

/** The password step; returns "verify" or "complete" as the login form receives it. */
export async function passwordStep(browser: GatehouseClient, username: string, password: string): Promise<string> {
  const data = expectOk(await browser.json("/api/login", { username, password }), "password step");
  return String(data.next);
}

/** next-auth's credentials sign-in, as finishLogin() in the browser does it. */
export async function finishSession(browser: GatehouseClient): Promise<void> {
  const csrf = await browser.get("/api/auth/csrf");
  const csrfToken = (csrf.body as { csrfToken?: string }).csrfToken;
  if (!csrfToken) throw new Error(`csrf: HTTP ${csrf.status}`);
  const answer = await browser.form("/api/auth/callback/credentials", { csrfToken, callbackUrl: `${browser.origin}/home`, json: "true" });
  if (answer.status !== 200 || !browser.cookie(SESSION_COOKIE)) throw new Error(`session: HTTP ${answer.status} ${answer.text.slice(0, 160)}`);
}

/** /verify with a security key, from a pending login whose password was checked, to a session. */
export async function keyStep(browser: GatehouseClient, authenticator: SoftAuthenticator, credential: SoftCredential): Promise<void> {
  const { options } = expectOk(await browser.json("/api/verify/key/options"), "key options") as { options: { challenge: string } };
  const response = authenticator.assert(credential, options.challenge);
  expectOk(await browser.json("/api/verify/key", { response }), "key verify");
  if (!browser.cookie(SESSION_COOKIE)) await finishSession(browser);
}

/** The whole login of a user with a key: password, key, session. */
export async function fullKeyLogin(browser: GatehouseClient, username: string, password: string, authenticator: SoftAuthenticator, credential: SoftCredential) {
  const next = await passwordStep(browser, username, password);
  if (next !== "verify") throw new Error(`full key login: expected /verify, got ${next}`);
  await keyStep(browser, authenticator, credential);
}

/** A password-only login (no key, no device activation in the bench org). */
export async function passwordLogin(browser: GatehouseClient, username: string, password: string): Promise<void> {
  const next = await passwordStep(browser, username, password);
  if (next !== "complete") throw new Error(`password login: expected complete, got ${next}`);
  if (!browser.cookie(SESSION_COOKIE)) await finishSession(browser);
}

/** A signed-in page load; 200 with HTML or it throws. */
export async function loadPage(browser: GatehouseClient, path: string): Promise<void> {
  const answer = await browser.get(path);
  if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}`);
}

export { SoftAuthenticator };
