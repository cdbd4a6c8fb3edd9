import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_PASSWORD, addUser, formAlert, invitationEmail, logIn, logInAndWaitForHome, signUpOrg } from "../support/pages";

test("an admin invites a user, who sets a password from the email and logs in", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Invitech");
  const username = `nia-${crypto.randomBytes(3).toString("hex")}@${org.slug}.test`;
  await addUser(page, { name: "Nia New", username });
  await expect(page.getByText("Not set yet.")).toBeVisible();

  // The mail as the test SMTP server received it.
  const { mail, link } = await invitationEmail(username);
  expect(mail.recipients).toEqual([username]);
  expect(mail.parsed.subject).toBe("Set your password");
  expect(mail.parsed.text).toContain(`Erin Admin added you to ${org.name} on Gatehouse`);
  expect(mail.parsed.html).toContain(`href="${link}"`);
  expect(link.startsWith(`${test.info().project.use.baseURL}/set-password/`)).toBe(true);

  const context = await browser.newContext();
  const nia = await context.newPage();
  await nia.goto(link);
  await expect(nia.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await expect(nia.getByText(username)).toBeVisible();

  // A mismatch is refused on the form, and changes nothing.
  await nia.getByLabel("New password").fill(E2E_PASSWORD);
  await nia.getByLabel("Confirm password").fill(`${E2E_PASSWORD}-typo`);
  await nia.getByRole("button", { name: "Set password" }).click();
  await expect(nia.getByText("The passwords don't match.")).toBeVisible();

  await nia.getByLabel("Confirm password").fill(E2E_PASSWORD);
  await nia.getByRole("button", { name: "Set password" }).click();
  await nia.waitForURL("**/login?password-set=1");
  await expect(nia.getByText("Your password is set.")).toBeVisible();
  await logInAndWaitForHome(nia, username);
  await expect(nia.getByRole("heading", { name: "Welcome, Nia New" })).toBeVisible();

  // The link was single use.
  await nia.goto(link);
  await expect(nia.getByRole("heading", { name: "This link has already been used" })).toBeVisible();
  await expect(nia.getByLabel("New password")).toHaveCount(0);
  await context.close();

  // The admin's Email Log shows the delivery.
  await page.goto("/setup/email-log");
  const row = page.getByRole("row", { name: new RegExp(username) }).filter({ hasText: "Set your password" });
  await expect(row.getByText("Set your password")).toBeVisible();
  await expect(row.getByText("Sent", { exact: true })).toBeVisible();
});

test("a malformed or unknown link gets a clear page and no form", async ({ page }) => {
  for (const token of ["not-a-token", "A".repeat(43)]) {
    await page.goto(`/set-password/${token}`);
    await expect(page.getByRole("heading", { name: "This link isn't valid" })).toBeVisible();
    await expect(page.getByLabel("New password")).toHaveCount(0);
  }
});

test("an invited user cannot log in before setting a password", async ({ page }) => {
  const org = await signUpOrg(page, "Pending");
  const username = `pat@${org.slug}.test`;
  await addUser(page, { name: "Pat Pending", username });
  await page.context().clearCookies();
  await logIn(page, username, E2E_PASSWORD);
  await expect(formAlert(page)).toHaveText("Check your username and password");
});

test("the Email Log is for admins, and /dev/mailbox does not exist when SMTP is configured", async ({ page }) => {
  await signUpOrg(page, "Logs");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Setup", exact: true }).click();
  await page.getByRole("link", { name: "Email Log" }).click();
  await expect(page.getByRole("heading", { name: "Email Log" })).toBeVisible();
  const response = await page.goto("/dev/mailbox");
  expect(response?.status()).toBe(404);
});
