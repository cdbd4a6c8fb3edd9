import crypto from "node:crypto";
import { expect, test } from "@playwright/test";
import { E2E_PASSWORD, addUser, formAlert, logIn, logInAndWaitForHome, logOut, setPasswordFromEmail, signUpOrg, signupCodeFromEmail } from "../support/pages";

test("sign up an org, land on Home, log out and log back in", async ({ page }) => {
  const org = await signUpOrg(page, "Initech");
  await expect(page.getByRole("heading", { name: "Welcome, Erin Admin" })).toBeVisible();
  await expect(page.getByText(`You're logged in to ${org.name}.`)).toBeVisible();

  await logOut(page);
  await page.goto("/home");
  await page.waitForURL("**/login");

  await logInAndWaitForHome(page, org.adminEmail);
  await page.goto("/settings/advanced");
  await expect(page.getByText(org.adminEmail).first()).toBeVisible();
  await expect(page.getByText("Admin", { exact: true })).toBeVisible();
});

test("a wrong password gets the one generic message and no session", async ({ page, context }) => {
  const org = await signUpOrg(page, "Hooli");
  await logOut(page);
  await logIn(page, org.adminEmail, "not-the-password-1");
  await expect(formAlert(page)).toHaveText("Check your username and password");
  await logIn(page, `nobody-${crypto.randomBytes(3).toString("hex")}@nowhere.test`, "whatever-password-1");
  await expect(formAlert(page)).toHaveText("Check your username and password");
  expect((await context.cookies()).some((c) => c.name.includes("gatehouse.session"))).toBe(false);
  await page.goto("/home");
  await expect(page).toHaveURL(/\/login$/);
});

test("sign-up shows field errors and creates nothing when the slug is taken", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Taken");
  const other = await browser.newPage();
  await other.goto("/signup");
  await other.getByLabel("Org name").fill("Copycat");
  await other.getByLabel("URL name").fill(org.slug);
  await other.getByLabel("Your name").fill("Cody Copy");
  await other.getByLabel("Email").fill("not-an-email");
  await other.getByLabel("Password").fill("short");
  await other.getByRole("button", { name: "Create org" }).click();
  await expect(other.getByText("Enter a valid email address.")).toBeVisible();
  await expect(other.getByText("Use at least 12 characters.")).toBeVisible();

  await other.getByLabel("Email").fill(`cody@${org.slug}.test`);
  await other.getByLabel("Password").fill(E2E_PASSWORD);
  await other.getByRole("button", { name: "Create org" }).click();
  await expect(other.getByText("This URL name is taken. Try another.")).toBeVisible();
  await expect(other).toHaveURL(/\/signup$/);
  // Nothing was created: the would-be admin cannot log in.
  await logIn(other, `cody@${org.slug}.test`);
  await expect(formAlert(other)).toHaveText("Check your username and password");
  await other.close();
});

test("sign-up proves the email with a code: back keeps the details, a wrong or replaced code is refused, a new one works", async ({ page }) => {
  const id = crypto.randomBytes(4).toString("hex");
  const email = `ada@e2e-${id}.test`;
  await page.goto("/signup");
  await page.getByLabel("Org name").fill(`Verified ${id}`);
  await page.getByLabel("URL name").fill(`e2e-${id}`);
  await page.getByLabel("Your name").fill("Ada Admin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Create org" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  await expect(page.getByText(`We sent a 6-digit code to a•••@e2e-${id}.test.`)).toBeVisible();
  await signupCodeFromEmail(email);

  // Back to the details, which are kept; continuing sends a new code for a new pending sign-up.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByRole("heading", { name: "Create your org" })).toBeVisible();
  await expect(page.getByLabel("Org name")).toHaveValue(`Verified ${id}`);
  await page.getByRole("button", { name: "Create org" }).click();
  await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
  const first = await signupCodeFromEmail(email, 1);

  await page.getByLabel("Verification code").fill(first === "000000" ? "000001" : "000000");
  await page.getByRole("button", { name: "Verify and create org" }).click();
  await expect(formAlert(page)).toHaveText("That code isn't right. Check the latest email and try again.");

  await page.getByRole("button", { name: "Send a new code" }).click();
  await expect(page.getByText(`We sent a new code to a•••@e2e-${id}.test. The previous one no longer works.`)).toBeVisible();
  const second = await signupCodeFromEmail(email, 2);
  if (second !== first) {
    await page.getByLabel("Verification code").fill(first);
    await page.getByRole("button", { name: "Verify and create org" }).click();
    await expect(formAlert(page)).toHaveText("That code isn't right. Check the latest email and try again.");
  }

  await page.getByLabel("Verification code").fill(second);
  await page.getByRole("button", { name: "Verify and create org" }).click();
  await page.waitForURL("**/home");
  await expect(page.getByRole("heading", { name: "Welcome, Ada Admin" })).toBeVisible();
});

test("an admin adds a user who can then log in; a standard user is refused Setup", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Umbrella");
  const username = `sam@${org.slug}.test`;
  await addUser(page, { name: "Sam Standard", username });
  await page.goto("/setup/users");
  await expect(page.getByRole("link", { name: "Sam Standard" })).toBeVisible();

  const context = await browser.newContext();
  const sam = await context.newPage();
  await setPasswordFromEmail(sam, username);
  await logInAndWaitForHome(sam, username);
  await expect(sam.getByRole("link", { name: "Setup" })).toHaveCount(0);

  for (const path of ["/setup", "/setup/users", "/setup/users/new", "/setup/email-log"]) {
    const response = await sam.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(sam.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  }
  await context.close();
});

test("an admin's user-page link for another org's user id is not found", async ({ page, browser }) => {
  await signUpOrg(page, "Acme Rival");
  const acmeUserId = await addUser(page, { name: "Ann Other", username: `ann-${crypto.randomBytes(3).toString("hex")}@acme-rival.test` });

  const context = await browser.newContext();
  const globex = await context.newPage();
  await signUpOrg(globex, "Globex Rival");
  const response = await globex.goto(`/setup/users/${acmeUserId}`);
  expect(response?.status()).toBe(404);
  await expect(globex.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(globex.getByText("Ann Other")).toHaveCount(0);
  await context.close();
});

test("signed-out visitors are sent to the login page", async ({ page }) => {
  for (const path of ["/home", "/settings/advanced", "/setup/users"]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/login$/);
  }
});

test("a user logs out another browser from Advanced User Details; that browser is signed out at its next request", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Two browsers");
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await logInAndWaitForHome(other, org.adminEmail);

  await page.goto("/settings/advanced");
  const sessions = page.getByRole("list", { name: "Active sessions" });
  await expect(sessions.getByText("This browser")).toBeVisible();
  await expect(sessions.getByRole("button", { name: /^Log out / })).toHaveCount(1);
  await sessions.getByRole("button", { name: /^Log out / }).click();
  await expect(sessions.getByRole("button", { name: /^Log out / })).toHaveCount(0);

  // Its session ended, so /login says why.
  await other.goto("/home");
  await expect(other).toHaveURL(/\/login\?reason=session-ended$/);
  await expect(other.getByText("Your session has ended. Log in again to continue.")).toBeVisible();
  await page.goto("/home");
  await expect(page).toHaveURL(/\/home$/);
  await otherContext.close();
});
