import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import {
  addUser,
  allowSecurityKeys,
  chooseVerifyMethod,
  formAlert,
  logIn,
  logInAndWaitForHome,
  logOut,
  registerKeyInUi,
  signUpOrg,
  verifyIfAsked,
} from "../support/pages";
import { waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

// Issue 14: what a newcomer's walk-through found — key names that reach the
// email and the history, labelled controls, /verify leading with one method,
// key prompts that can be cancelled, a session that ends mid-task.

async function newBrowser(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Every form control has exactly one accessible label, and no id appears twice. */
async function expectLabelledControls(page: Page) {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const ids = new Map<string, number>();
    for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) ?? 0) + 1);
    for (const [id, count] of ids) if (count > 1) found.push(`id "${id}" used ${count} times`);
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")) {
      if (el instanceof HTMLInputElement && el.type === "hidden") continue;
      const labels = [...(el.labels ?? [])].filter((l) => l.textContent?.trim());
      const named = labels.length + (el.getAttribute("aria-label")?.trim() ? 1 : 0) + (el.getAttribute("aria-labelledby") ? 1 : 0);
      if (named !== 1) found.push(`${el.tagName.toLowerCase()}[name=${el.getAttribute("name")}] has ${named} labels`);
    }
    return found;
  });
  expect(problems, page.url()).toEqual([]);
}

test("every form control on every page has exactly one label, and ids are unique", async ({ page, browser }) => {
  for (const path of ["/login", "/signup"]) {
    await page.goto(path);
    await expectLabelledControls(page);
  }
  const org = await signUpOrg(page, "Labels");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Labelled key");
  const userId = await addUser(page, { name: "Lena Label", username: `lena@${org.slug}.test` });
  for (const path of [
    "/home",
    "/settings/advanced",
    "/setup",
    "/setup/session-settings",
    "/setup/users",
    "/setup/users/new",
    `/setup/users/${userId}`,
    "/setup/verification-history",
    "/setup/login-history",
    "/setup/audit-trail",
    "/setup/email-log",
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectLabelledControls(page);
  }
  // Open forms too: renaming a key, the recovery codes' "verify it's you".
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Rename Labelled key" }).click();
  await expectLabelledControls(page);

  // /verify, with every method it offers in turn (a key, an emailed code on a new browser).
  const other = await newBrowser(browser);
  await logIn(other, org.adminEmail);
  await other.waitForURL("**/verify");
  await expectLabelledControls(other);
  await other.context().close();
});

test("the name the user gives a key reaches the email and the history", async ({ page }) => {
  const org = await signUpOrg(page, "Names");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "u2f" });
  await registerKeyInUi(page, org.password, "Backup key (drawer)");
  const mail = await waitForSpooledMail(e2eMailSettings().spoolDir, org.adminEmail, { subject: "A security key was registered to your Gatehouse account" });
  expect(mail.parsed.text).toContain("Backup key (drawer)");
  expect(mail.parsed.text).not.toContain("Security key 1");

  await page.goto("/setup/verification-history");
  const table = page.getByRole("table");
  await expect(table).toContainText("Register security key");
  await expect(table).toContainText("Backup key (drawer)");
  await expect(table).not.toContainText("Security key 1");

  // The key used is named in the history of the login it verified.
  await logOut(page);
  await logIn(page, org.adminEmail);
  await page.getByRole("button", { name: "Use my security key" }).click();
  await page.waitForURL("**/home");
  await page.goto("/setup/verification-history");
  await expect(table.getByRole("row").filter({ hasText: "Login" }).first()).toContainText("Backup key (drawer)");
});

test("/verify leads with the key and offers the rest under “Use another method”", async ({ page }) => {
  const org = await signUpOrg(page, "Lead");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Lead key");
  await page.getByRole("button", { name: "Generate" }).click();
  await verifyIfAsked(page, page.getByRole("list", { name: "Your new recovery codes" }));
  await expect(page.getByText("Your previous codes no longer work.")).toHaveCount(0);
  await logOut(page);

  await logIn(page, org.adminEmail);
  await page.waitForURL("**/verify");
  await expect(page.getByRole("button", { name: "Use my security key" })).toBeVisible();
  await expect(page.getByLabel("Recovery code")).toHaveCount(0);
  await page.getByRole("button", { name: "Use another method" }).click();
  await page.getByRole("button", { name: "Recovery code", exact: true }).click();
  await expect(page.getByRole("button", { name: "Use my security key" })).toHaveCount(0);
  // The label belongs to its own field: clicking it focuses that field.
  await page.getByText("Recovery code", { exact: true }).last().click();
  await expect(page.getByLabel("Recovery code")).toBeFocused();
  await chooseVerifyMethod(page, "Security key");
  await page.getByRole("button", { name: "Use my security key" }).click();
  await page.waitForURL("**/home");
});

test("key prompts count down and can be cancelled; a key that isn't registered says so", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Cancel");
  await allowSecurityKeys(page);
  // A key nobody touches: the browser's request waits until it is cancelled.
  await addVirtualAuthenticator(page, { protocol: "ctap2", automaticPresenceSimulation: false });
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await verifyIfAsked(page, page.getByRole("heading", { name: "Insert your security key and touch it" }));
  await expect(page.getByRole("heading", { name: "Insert your security key and touch it" })).toBeVisible();
  await expect(page.getByText(/Time left: \d:\d\d/)).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: "Insert your security key and touch it" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Register", exact: true })).toBeVisible();
  await expect(formAlert(page)).toHaveCount(0);

  // Register a real key on another tab, then log in where only an untouched key is plugged in.
  const keyPage = await page.context().newPage();
  await addVirtualAuthenticator(keyPage, { protocol: "ctap2" });
  await registerKeyInUi(keyPage, org.password, "Real key");
  await keyPage.close();
  const other = await newBrowser(browser);
  await addVirtualAuthenticator(other, { protocol: "ctap2", automaticPresenceSimulation: false });
  await logIn(other, org.adminEmail);
  await other.waitForURL("**/verify");
  await other.getByRole("button", { name: "Use my security key" }).click();
  await expect(other.getByRole("heading", { name: "Insert your security key and touch it" })).toBeVisible();
  await expect(other.getByText(/Time left: \d:\d\d/)).toBeVisible();
  await other.getByRole("button", { name: "Cancel" }).click();
  await expect(other.getByRole("button", { name: "Use my security key" })).toBeVisible();
  await expect(formAlert(other)).toHaveCount(0);
  await other.context().close();

  // A key that holds no credential for this account answers at once: "isn't registered".
  const stranger = await newBrowser(browser);
  await addVirtualAuthenticator(stranger, { protocol: "ctap2" });
  await logIn(stranger, org.adminEmail);
  await stranger.waitForURL("**/verify");
  await stranger.getByRole("button", { name: "Use my security key" }).click();
  await expect(formAlert(stranger)).toContainText("isn't registered to your account");
  await stranger.context().close();
});

test("a session that ends mid-task goes to /login with a message", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Ended");
  await page.goto("/settings/advanced");
  await expect(page.getByRole("heading", { name: "Advanced User Details" })).toBeVisible();

  // The same user, elsewhere, logs this browser out.
  const other = await newBrowser(browser);
  await logInAndWaitForHome(other, org.adminEmail);
  await other.goto("/settings/advanced");
  await other
    .getByRole("list", { name: "Active sessions" })
    .getByRole("button", { name: /^Log out / })
    .first()
    .click();
  await expect(other.getByRole("list", { name: "Active sessions" }).getByRole("listitem")).toHaveCount(1);
  await other.context().close();

  // Back here, on the stale page: the next action leads to /login, which says why.
  await page.getByRole("button", { name: "Generate" }).click();
  await page.waitForURL("**/login?reason=session-ended");
  await expect(page.getByText("Your session has ended. Log in again to continue.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Log in to Gatehouse" })).toBeVisible();
  // A page load with the dead session says the same.
  await page.goto("/home");
  await page.waitForURL("**/login?reason=session-ended");
});

test("a favicon, and a title per page", async ({ page }) => {
  for (const icon of ["/favicon.ico", "/icon.svg"]) expect((await page.request.get(icon)).status(), icon).toBe(200);
  const titles = new Set<string>();
  await page.goto("/login");
  titles.add(await page.title());
  await signUpOrg(page, "Titles");
  for (const path of [
    "/home",
    "/settings/advanced",
    "/setup",
    "/setup/session-settings",
    "/setup/users",
    "/setup/verification-history",
    "/setup/login-history",
  ]) {
    await page.goto(path);
    const title = await page.title();
    expect(title, path).toMatch(/^.+ · Gatehouse$/);
    titles.add(title);
  }
  expect(titles.size).toBe(8);
});
