import crypto from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { e2eMailSettings } from "./e2e-mail";
import { waitForSpooledMail, type ReceivedMail } from "./test-smtp";

// Page objects for the flows every e2e test repeats. They drive the UI by its
// own words (labels and roles), as a user would.

export const E2E_PASSWORD = "e2e-password-0123";

export interface SignedUpOrg {
  name: string;
  slug: string;
  adminEmail: string;
  password: string;
}

/** Creates an org through /signup and lands on /home signed in as its admin. */
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
  await page.waitForURL("**/home");
  return org;
}

export async function logIn(page: Page, username: string, password = E2E_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

export async function logInAndWaitForHome(page: Page, username: string, password = E2E_PASSWORD): Promise<void> {
  await logIn(page, username, password);
  await page.waitForURL("**/home");
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login");
}

/** Adds a user from Setup → Users → New user; returns the new user's id (from the page it lands on). They get a "Set your password" email. */
export async function addUser(
  page: Page,
  user: { name: string; username: string; email?: string; role?: "Admin" | "Standard" },
): Promise<string> {
  await page.goto("/setup/users/new");
  await page.getByLabel("Name", { exact: true }).fill(user.name);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Email", { exact: true }).fill(user.email ?? user.username);
  await page.getByLabel("Role").selectOption({ label: user.role ?? "Standard" });
  await page.getByRole("button", { name: "Save" }).click();
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
