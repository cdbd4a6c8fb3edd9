import { expect, test, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import {
  addUser,
  allowSecurityKeys,
  chooseVerifyMethod,
  logIn,
  logInAndWaitForHome,
  logOut,
  registerKeyInUi,
  setPasswordFromEmail,
  signUpOrg,
  saveSessionSettings,
  verifyIfAsked,
} from "../support/pages";
import { spooledMailTo, waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";
import { base32Decode, stepAt, totpAt } from "../../lib/verification/totp";

/** Advanced User Details → Recovery codes → Generate (re-authenticating when asked); returns the codes shown once. */
async function generateRecoveryCodes(page: Page, password: string): Promise<string[]> {
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: /^(Generate|Regenerate)$/ }).click();
  const verify = page.getByRole("heading", { name: "For security purposes, verify it's you" });
  const list = page.getByRole("list", { name: "Your new recovery codes" });
  await expect(verify.or(list)).toBeVisible();
  if (await verify.isVisible()) {
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const codes = await list.getByRole("listitem").allTextContents();
  await page.getByRole("button", { name: "I've saved them" }).click();
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();
  return codes;
}

/** Required-MFA enrolment: "Email me a code", then the code from the newest email in the test SMTP spool, as the user would. */
async function confirmEmailForEnrolment(page: Page, address: string): Promise<void> {
  const { spoolDir } = e2eMailSettings();
  const subject = "Confirm your email to set up multi-factor authentication";
  const before = (await spooledMailTo(spoolDir, address, subject)).length;
  await page.getByRole("button", { name: "Email me a code" }).click();
  const mail = await waitForSpooledMail(spoolDir, address, { subject, after: before });
  const code = /^\s*(\d{6})\s*$/m.exec(mail.parsed.text ?? "")?.[1];
  if (!code) throw new Error(`No code in the enrolment email to ${address}`);
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Confirm your email first" })).toHaveCount(0);
}

test("a user who lost their only key logs in with a recovery code and registers a new key", async ({ page }) => {
  const org = await signUpOrg(page, "Recovery");
  await allowSecurityKeys(page);
  const key = await addVirtualAuthenticator(page, { protocol: "u2f" });
  await registerKeyInUi(page, org.password, "Only key");
  const codes = await generateRecoveryCodes(page, org.password);
  await logOut(page);

  await key.remove(); // the key is lost
  await logIn(page, org.adminEmail);
  await page.waitForURL("**/verify");
  await chooseVerifyMethod(page, "Recovery code");
  await page.getByLabel("Recovery code").fill(codes[0]!);
  await page.getByRole("button", { name: "Verify with recovery code" }).click();
  await page.waitForURL("**/home");

  // The recovery-code login counts as "verify it's you": a new key registers without the lost one.
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await page.goto("/settings/advanced");
  await expect(page.getByText("9 of 10 recovery codes left.")).toBeVisible();
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Name your key" })).toBeVisible();
  await page.getByLabel("Key name").fill("Replacement key");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Security key registered" })).toBeVisible();

  // The used code does not work twice.
  await page.getByRole("button", { name: "Continue" }).click();
  await logOut(page);
  await logIn(page, org.adminEmail);
  await chooseVerifyMethod(page, "Recovery code");
  await page.getByLabel("Recovery code").fill(codes[0]!);
  await page.getByRole("button", { name: "Verify with recovery code" }).click();
  await expect(page.getByText("That recovery code isn't right or was already used.").first()).toBeVisible();
});

test("an admin issues a temporary code, the user gets in with it exactly once; an admin removes a user's key and the user is emailed", async ({
  page,
  browser,
}) => {
  const org = await signUpOrg(page, "Temporary");
  await allowSecurityKeys(page);
  const username = `tess@${org.slug}.test`;
  const userId = await addUser(page, { name: "Tess Temp", username });

  const tess = await (await browser.newContext()).newPage();
  await setPasswordFromEmail(tess, username);
  await logInAndWaitForHome(tess, username);
  await addVirtualAuthenticator(tess, { protocol: "u2f" });
  await registerKeyInUi(tess, "e2e-password-0123", "Tess key");
  await tess.context().close();

  // Tess lost her key: the admin removes it, with a reason, and issues a temporary code.
  await page.goto(`/setup/users/${userId}`);
  await page.getByRole("button", { name: "Remove Tess key" }).click();
  await page.getByLabel("Reason for removing Tess key").fill("Reported lost");
  await page.getByRole("button", { name: "Remove key" }).click();
  // Removing someone else's key is a sensitive admin change: the admin verifies it's them first.
  await verifyIfAsked(page, page.getByText("No security keys registered."), org.password);
  await expect(page.getByText("No security keys registered.")).toBeVisible();
  const removed = await waitForSpooledMail(e2eMailSettings().spoolDir, username, { subject: "An admin removed a security key from your Gatehouse account" });
  expect(removed.parsed.text).toContain("Reported lost");

  await page.getByLabel("Valid for").selectOption("2");
  await page.getByRole("button", { name: "Issue temporary code" }).click();
  const verify = page.getByRole("heading", { name: "For security purposes, verify it's you" });
  const shown = page.getByLabel("Temporary verification code");
  await expect(verify.or(shown)).toBeVisible();
  if (await verify.isVisible()) {
    await page.getByLabel("Password").fill(org.password);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  const code = (await shown.textContent())!.trim();
  expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
  await waitForSpooledMail(e2eMailSettings().spoolDir, username, { subject: "An admin issued you a temporary verification code" });

  // On a new browser Tess gets in with the code once; the second time it is refused.
  for (const attempt of [1, 2]) {
    const browserPage = await (await browser.newContext()).newPage();
    await logIn(browserPage, username);
    await browserPage.waitForURL("**/verify");
    if (attempt === 1) {
      await chooseVerifyMethod(browserPage, "Temporary code");
      await browserPage.getByLabel("Temporary code").fill(code);
      await browserPage.getByRole("button", { name: "Verify with temporary code" }).click();
      await browserPage.waitForURL("**/home");
    } else {
      // Used up: no temporary-code field any more, and the emailed code is what a keyless user has left.
      await expect(browserPage.getByLabel("Temporary code")).toHaveCount(0);
      await expect(browserPage.getByRole("button", { name: "Email me a code" })).toBeVisible();
    }
    await browserPage.context().close();
  }
  await page.goto("/setup/audit-trail");
  await expect(page.getByRole("table")).toContainText("Issued temporary verification code");
  await expect(page.getByRole("table")).toContainText("Removed security key");
});

test("an org that requires MFA sends a user without a method into enrolment until they register a key", async ({ page }) => {
  const org = await signUpOrg(page, "Mfa");
  await page.goto("/setup/session-settings");
  await page.getByLabel("Let users verify their identity with a physical security key (U2F)").check();
  await page.getByLabel("Require multi-factor authentication for all direct UI logins").check();
  // Without a date it applies at once: the form says so, and who it affects, before saving (issue 30 item 7).
  const atOnce = "MFA will be required at once. 1 active user has no second factor yet and must register one at their next login.";
  await expect(page.getByText(atOnce)).toBeVisible();
  let question = "";
  page.once("dialog", (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await saveSessionSettings(page, org.password);
  expect(question).toBe(`${atOnce} Save anyway?`);
  // The admin now has no second factor under required MFA: they read that it saved first, then are asked to enrol (issue 30 item 7).
  await expect(page.getByText("Session settings saved.")).toBeVisible();
  await expect(page.getByText(/^Multi-factor authentication is now required, and you have no second factor yet/)).toBeVisible();
  // Nothing takes them away before they choose to go on (a refresh of this page would redirect to enrolment).
  await page.waitForTimeout(1_000);
  await expect(page).toHaveURL(/\/setup\/session-settings$/);
  await expect(page.getByText("Session settings saved.")).toBeVisible();
  await page.getByRole("link", { name: "Set up your second factor" }).click();
  await page.waitForURL("**/settings/advanced?enrol=mfa");
  await expect(page.getByRole("heading", { name: "Confirm your email first" })).toBeVisible();

  await page.goto("/home");
  await page.waitForURL("**/settings/advanced?enrol=mfa");
  await expect(page.getByText(/requires multi-factor authentication\. Register a security key/)).toBeVisible();
  await page.goto("/setup/users");
  await page.waitForURL("**/settings/advanced?enrol=mfa");

  // Before a first key: prove the mailbox with the emailed code (a stolen password alone enrols nothing).
  await expect(page.getByRole("heading", { name: "Confirm your email first" })).toBeVisible();
  await expect(page.getByText(/We'll email a 6-digit code to a•••@e2e-[0-9a-f]+\.test\./)).toBeVisible();
  await expect(page.getByRole("button", { name: "Register", exact: true })).toBeDisabled();
  await confirmEmailForEnrolment(page, org.adminEmail);
  await expect(page.getByRole("button", { name: "Register", exact: true })).toBeEnabled();

  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "MFA key");
  await page.goto("/home");
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByText("You verify with a security key after your password.")).toBeVisible();
});

test("a user connects an authenticator app (QR code and text secret) and logs in with its code", async ({ page }) => {
  const org = await signUpOrg(page, "Totp");
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByLabel("Password").fill(org.password);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = base32Decode((await page.getByLabel("Authenticator secret").textContent())!);
  await page.getByLabel("Code from the app").fill(totpAt(secret, stepAt(new Date())));
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByText("Connected.")).toBeVisible();
  await waitForSpooledMail(e2eMailSettings().spoolDir, org.adminEmail, { subject: "An authenticator app was connected to your Gatehouse account" });

  await logOut(page);
  await logIn(page, org.adminEmail);
  await page.waitForURL("**/verify");
  // The step just used to connect is spent; the next one (within the ±1 window) is accepted.
  await chooseVerifyMethod(page, "Authenticator app");
  await page.getByLabel("Authenticator code").fill(totpAt(secret, stepAt(new Date()) + 1));
  await page.getByRole("button", { name: "Verify with authenticator app" }).click();
  await page.waitForURL("**/home");
  await expect(page.getByText("You verify with an authenticator app after your password.")).toBeVisible();
});
