import { expect, test, type Page } from "@playwright/test";
import { KEY_SETTING_LABEL, allowSecurityKeys, logIn, logOut, registerKeyInUi, signUpOrg } from "../support/pages";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

// Issue 14, item 3: at phone width (390 px) every page is usable: nothing runs
// off the side, and the top bar folds into a Menu that still reaches Log out.

test.use({ viewport: { width: 390, height: 844 } });

/** The page is no wider than the screen (nothing pushed off to the right). */
async function expectFitsWidth(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, page.url()).toBeLessThanOrEqual(clientWidth);
}

test("login, /verify, Advanced User Details and Session Settings work at 390 px, and Log out is reachable", async ({ page }) => {
  await page.goto("/login");
  await expectFitsWidth(page);
  const org = await signUpOrg(page, "Phone");
  await expectFitsWidth(page);

  // The top bar: links and Log out live behind "Menu".
  await expect(page.getByRole("button", { name: "Log out" })).toBeHidden();
  await page.getByRole("button", { name: "Menu" }).click();
  const menu = page.getByRole("navigation", { name: "Main" });
  await expect(menu.getByRole("link", { name: "Advanced User Details" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Setup" })).toBeVisible();
  await menu.getByRole("link", { name: "Setup" }).click();
  await page.waitForURL("**/setup");
  await expect(page.getByRole("heading", { name: "Setup", level: 1 })).toBeVisible();
  await expectFitsWidth(page);

  // Session Settings: reached through the folded Setup menu, saved from the phone.
  await page.getByText("Setup menu").click();
  await page.getByRole("navigation", { name: "Setup" }).getByRole("link", { name: "Session Settings" }).click();
  await page.waitForURL("**/setup/session-settings");
  await expect(page.getByLabel(KEY_SETTING_LABEL)).toBeVisible();
  await expectFitsWidth(page);
  await allowSecurityKeys(page);
  await expectFitsWidth(page);

  // Advanced User Details: register a key on the phone.
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Phone key");
  await expectFitsWidth(page);

  for (const path of [
    "/home",
    "/setup/users",
    "/setup/verification-history",
    "/setup/login-history",
    "/setup/audit-trail",
    "/setup/email-log",
    "/setup/api-tokens",
    "/setup/event-streams",
  ]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectFitsWidth(page);
  }

  // Log out from the Menu, then /verify at phone width.
  await logOut(page);
  await logIn(page, org.adminEmail);
  await page.waitForURL("**/verify");
  await expectFitsWidth(page);
  await page.getByRole("button", { name: "Use my security key" }).click();
  await page.waitForURL("**/home");
});
