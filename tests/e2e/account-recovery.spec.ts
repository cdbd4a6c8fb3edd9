import { expect, test } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import { allowSecurityKeys, logIn, registerKeyInUi, signUpOrg } from "../support/pages";
import { waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

// DESIGN.md section 10: "Forgot your password?" and "This wasn't me".

const NEW_PASSWORD = "plum-kettle-orbit-42";
const RESET_SUBJECT = "Reset your Gatehouse password";
const REGISTERED = "A security key was registered to your Gatehouse account";

async function linkInMail(address: string, subject: string, path: string, after = 0): Promise<string> {
  const mail = await waitForSpooledMail(e2eMailSettings().spoolDir, address, { subject, after });
  const link = new RegExp(`https?://\\S+/${path}/[A-Za-z0-9_-]{43}`).exec(mail.parsed.text ?? "")?.[0];
  if (!link) throw new Error(`No ${path} link in "${subject}" to ${address}`);
  expect(mail.parsed.html).toContain(`href="${link}"`);
  return link;
}

test("forgot password: from /login through the emailed link to a login that still asks for the key", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Forgetful");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Desk key");

  // Another browser, signed out.
  const context = await browser.newContext();
  const other = await context.newPage();
  await other.goto("/login");
  await other.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(other.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await other.getByLabel("Username").fill(org.adminEmail);
  await other.getByRole("button", { name: "Email me a link" }).click();
  await expect(other.getByText("If that username belongs to an active account")).toBeVisible();

  const link = await linkInMail(org.adminEmail, RESET_SUBJECT, "set-password");
  await other.goto(link);
  await expect(other.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  // The policy says why a password is refused.
  await other.getByLabel("New password").fill("password1234");
  await other.getByLabel("Confirm password").fill("password1234");
  await other.getByRole("button", { name: "Set password" }).click();
  await expect(other.getByText("This password is too common")).toBeVisible();
  await other.getByLabel("New password").fill(NEW_PASSWORD);
  await other.getByLabel("Confirm password").fill(NEW_PASSWORD);
  await other.getByRole("button", { name: "Set password" }).click();
  await other.waitForURL("**/login?password-set=1");

  // The first browser's session ended with the reset.
  await page.goto("/settings/advanced");
  await page.waitForURL(/\/login/);

  // The new password works, and the key is still asked for.
  await logIn(other, org.adminEmail, NEW_PASSWORD);
  await other.waitForURL("**/verify");
  await expect(other.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
  await expect(other.getByRole("button", { name: "Use my security key" })).toBeVisible();

  // In the browser that holds the key, the login completes with it.
  await logIn(page, org.adminEmail, NEW_PASSWORD);
  await page.waitForURL("**/verify");
  await page.getByRole("button", { name: "Use my security key" }).click();
  await page.waitForURL("**/home");
  await context.close();
});

test("This wasn't me: the link in the key-registered email, confirmed in another browser, signs the first out and suspends the key; the mailbox alone then logs nobody in", async ({
  page,
  browser,
}) => {
  const org = await signUpOrg(page, "Contain");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Attacker key");
  const link = await linkInMail(org.adminEmail, REGISTERED, "wasnt-me");

  const context = await browser.newContext();
  const owner = await context.newPage();
  await owner.goto(link);
  await expect(owner.getByRole("heading", { name: "This wasn't me" })).toBeVisible();
  await expect(owner.getByText("was registered to your account")).toBeVisible();
  // Showing the page changed nothing: the first browser is still signed in.
  await page.goto("/settings/advanced");
  await expect(page.getByRole("list", { name: "Your security keys" })).toBeVisible();

  await owner.getByRole("button", { name: "Yes, this wasn't me: secure my account" }).click();
  await expect(owner.getByText("Done. You were signed out everywhere")).toBeVisible();
  // The key was the only factor of the org's only admin: no reset link, the operator recovers them.
  await expect(owner.getByText("You are your org's only admin")).toBeVisible();

  // The first browser's next page is the login page.
  await page.goto("/settings/advanced");
  await page.waitForURL(/\/login/);

  // The link works once.
  await owner.goto(link);
  await expect(owner.getByRole("heading", { name: "This report was already made" })).toBeVisible();

  // Whoever holds the mailbox can choose a password ("Forgot your password?"), but the suspended key still counts:
  // the login stops at /verify, which offers nothing but the operator's temporary code.
  await owner.goto("/forgot-password");
  await owner.getByLabel("Username").fill(org.adminEmail);
  await owner.getByRole("button", { name: "Email me a link" }).click();
  const reset = await linkInMail(org.adminEmail, RESET_SUBJECT, "set-password");
  await owner.goto(reset);
  await owner.getByLabel("New password").fill(NEW_PASSWORD);
  await owner.getByLabel("Confirm password").fill(NEW_PASSWORD);
  await owner.getByRole("button", { name: "Set password" }).click();
  await owner.waitForURL("**/login?password-set=1");
  await logIn(owner, org.adminEmail, NEW_PASSWORD);
  await owner.waitForURL("**/verify");
  await expect(owner.getByText("Admin recovery required.")).toBeVisible();
  await expect(owner.getByRole("button", { name: "Use my security key" })).toHaveCount(0);

  // The admins were told (here the only admin is the user), with what was suspended.
  await waitForSpooledMail(e2eMailSettings().spoolDir, org.adminEmail, { subject: /reported a change to their account they didn't make$/ });
  await context.close();
});
