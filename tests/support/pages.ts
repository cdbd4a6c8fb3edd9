import crypto from "node:crypto";
import { expect, type Locator, type Page } from "@playwright/test";
import { e2eMailSettings } from "./e2e-mail";
import { spooledMailTo, waitForSpooledMail, type ReceivedMail } from "./test-smtp";

// Page objects for the flows every e2e test repeats. They drive the UI by its
// own words (labels and roles), as a user would.

export const E2E_PASSWORD = "e2e-password-0123";

export interface SignedUpOrg {
  name: string;
  slug: string;
  adminEmail: string;
  password: string;
}

/**
 * Creates an org through /signup: the details, then the code the app emailed
 * to the admin (read from the test SMTP server, as the user would read it);
 * lands on /home signed in as its admin.
 */
export async function signUpOrg(page: Page, name = "E2E Org"): Promise<SignedUpOrg> {
  const id = crypto.randomBytes(4).toString("hex");
  const org = { name: `${name} ${id}`, slug: `e2e-${id}`, adminEmail: `admin@e2e-${id}.test`, password: E2E_PASSWORD };
  await page.goto("/signup");
  await page.getByLabel("Org name").fill(org.name);
  await page.getByLabel("URL name").fill(org.slug);
  await page.getByLabel("Your name").fill("Erin Admin");
  await page.getByLabel("Email").fill(org.adminEmail);
  await page.getByLabel("Password").fill(org.password);
  await page.getByRole("button", { name: "Create org" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await page.getByLabel("Verification code").fill(await signupCodeFromEmail(org.adminEmail));
  await page.getByRole("button", { name: "Verify and create org" }).click();
  await page.waitForURL("**/home");
  return org;
}

export const SIGNUP_CODE_SUBJECT = "Confirm your email for Gatehouse";

/** The code in the newest sign-up email to an address; `after`: how many such emails there were before (wait for a newer one). */
export async function signupCodeFromEmail(address: string, after = 0): Promise<string> {
  const mail = await waitForSpooledMail(e2eMailSettings().spoolDir, address, { subject: SIGNUP_CODE_SUBJECT, after });
  const code = /^\s*(\d{6})\s*$/m.exec(mail.parsed.text ?? "")?.[1];
  if (!code) throw new Error(`No code in the sign-up email to ${address}`);
  return code;
}

export async function logIn(page: Page, username: string, password = E2E_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/**
 * Logs in and lands on /home. A browser not yet activated for the user (and
 * with no second factor) is activated on the way with the emailed code, read
 * from the test SMTP server, as the user would.
 */
export async function logInAndWaitForHome(page: Page, username: string, password = E2E_PASSWORD): Promise<void> {
  await logIn(page, username, password);
  await page.waitForURL(/\/(home|verify)$/);
  if (page.url().endsWith("/verify")) await activateWithEmailedCode(page, username);
  await page.waitForURL("**/home");
}

export const ACTIVATION_SUBJECT = /^Your Gatehouse verification code$/;

export type VerifyMethodName = "Security key" | "Authenticator app" | "Recovery code" | "Temporary code" | "Emailed code";
const VERIFY_METHOD_HEADINGS: Record<VerifyMethodName, string> = {
  "Security key": "Security key",
  "Authenticator app": "Authenticator app",
  "Recovery code": "Recovery code",
  "Temporary code": "Temporary code",
  "Emailed code": "Email a code",
};

/** On /verify, which leads with one method: switches to `method` through "Use another method" unless it is already shown. */
export async function chooseVerifyMethod(page: Page, method: VerifyMethodName): Promise<void> {
  await expect(page.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
  const heading = page.getByRole("heading", { level: 2, name: VERIFY_METHOD_HEADINGS[method], exact: true });
  if (await heading.isVisible()) return;
  await page.getByRole("button", { name: "Use another method" }).click();
  await page.getByRole("button", { name: method, exact: true }).click();
  await expect(heading).toBeVisible();
}

/** On /verify: "Email me a code" (or "Send a new code"), then the code from the newest email to the user. */
export async function activateWithEmailedCode(page: Page, address: string): Promise<ReceivedMail> {
  const { spoolDir } = e2eMailSettings();
  const before = (await spooledMailTo(spoolDir, address, ACTIVATION_SUBJECT)).length;
  await chooseVerifyMethod(page, "Emailed code");
  await page.getByRole("button", { name: /^(Email me a code|Send a new code)$/ }).click();
  const mail = await waitForSpooledMail(spoolDir, address, { subject: ACTIVATION_SUBJECT, after: before });
  const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? "")?.[1];
  if (!code) throw new Error(`No code in the activation email to ${address}`);
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  return mail;
}

/** "Log out" (from the Menu on a phone-sized page); lands on /login, which says "You've logged out." */
export async function logOut(page: Page): Promise<void> {
  const logOutButton = page.getByRole("button", { name: "Log out" });
  if (!(await logOutButton.isVisible())) await page.getByRole("button", { name: "Menu" }).click();
  await logOutButton.click();
  await page.waitForURL(/\/login(\?|$)/);
  await expect(page.getByText("You've logged out.")).toBeVisible();
}

/** Adds a user from Setup → Users → New user; returns the new user's id (from the page it lands on). They get a "Set your password" email. */
export async function addUser(page: Page, user: { name: string; username: string; email?: string; role?: "Admin" | "Standard" }): Promise<string> {
  await page.goto("/setup/users/new");
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Email", { exact: true }).fill(user.email ?? user.username);
  await page.getByLabel("Role").selectOption({ label: user.role ?? "Standard" });
  await page.getByRole("button", { name: "Save" }).click();
  // Adding an admin asks the admin to verify it's them (unless they did within the org's window).
  await verifyIfAsked(page, page.getByRole("heading", { name: user.name }));
  await page.waitForURL(/\/setup\/users\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: user.name })).toBeVisible();
  return page.url().split("/").at(-1)!;
}

/** The newest "Set your password" email the app delivered to an address, read from the test SMTP server's spool. */
export async function invitationEmail(address: string): Promise<{ mail: ReceivedMail; link: string }> {
  const mail = await waitForSpooledMail(e2eMailSettings().spoolDir, address, { subject: "Set your password" });
  const link = /https?:\/\/\S+\/set-password\/[A-Za-z0-9_-]+/.exec(mail.parsed.text ?? "")?.[0];
  if (!link) throw new Error(`No set-password link in the email to ${address}`);
  return { mail, link };
}

/** Follows the link in a user's invitation email and sets their password; lands on the login page. */
export async function setPasswordFromEmail(page: Page, address: string, password = E2E_PASSWORD): Promise<void> {
  const { link } = await invitationEmail(address);
  await page.goto(link);
  await page.getByLabel("New password").fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
  await page.waitForURL("**/login?password-set=1");
}

/** The form's own alert (Next.js also renders a route announcer with role="alert", which names the page after a client-side navigation). */
export function formAlert(page: Page) {
  return page.getByRole("alert").filter({ hasText: /\S/ }).and(page.locator(":not(#__next-route-announcer__)"));
}

export const KEY_SETTING_LABEL = "Let users verify their identity with a physical security key (U2F)";

export const VERIFY_PROMPT = "For security purposes, verify it's you";

/**
 * A sensitive step asks "For security purposes, verify it's you" unless the
 * user verified within the org's window: waits for the prompt or for
 * `outcome`, and answers the prompt with the password when it comes.
 */
export async function verifyIfAsked(page: Page, outcome: Locator, password = E2E_PASSWORD): Promise<void> {
  const prompt = page.getByRole("heading", { name: VERIFY_PROMPT });
  await expect(prompt.or(outcome).first()).toBeVisible();
  if (await prompt.isVisible()) {
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
  }
}

/** Session Settings → Save: an admin's change to the org's policy, verified when asked. */
export async function saveSessionSettings(page: Page, password = E2E_PASSWORD): Promise<void> {
  await page.getByRole("button", { name: "Save" }).click();
  await verifyIfAsked(page, page.getByText(/^(Session settings saved\.|No changes to save\.)$/).or(formAlert(page)), password);
}

/** Session Settings: tick the security-key checkbox and save (as an admin). */
export async function allowSecurityKeys(page: Page, password = E2E_PASSWORD): Promise<void> {
  await page.goto("/setup/session-settings");
  await page.getByLabel(KEY_SETTING_LABEL).check();
  await saveSessionSettings(page, password);
  await expect(page.getByText("Session settings saved.")).toBeVisible();
}

/** Advanced User Details: Register → verify it's you (password) → touch the key → name it → Continue. */
export async function registerKeyInUi(page: Page, password: string, name: string): Promise<void> {
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await verifyIfAsked(page, page.getByRole("heading", { name: "Name your key" }), password);
  await expect(page.getByRole("heading", { name: "Name your key" })).toBeVisible();
  await page.getByLabel("Key name").fill(name);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Security key registered" })).toBeVisible();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("list", { name: "Your security keys" })).toContainText(name);
}
