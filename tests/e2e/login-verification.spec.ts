import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import {
  ACTIVATION_SUBJECT,
  activateWithEmailedCode,
  addUser,
  allowSecurityKeys,
  logIn,
  logOut,
  registerKeyInUi,
  setPasswordFromEmail,
  signUpOrg,
  verifyIfAsked,
} from "../support/pages";
import { waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator, cloneCredential, type AuthenticatorProtocol, type VirtualAuthenticator } from "../support/virtual-authenticator";

// DESIGN.md section 5: after the password, a key (second factor) and/or
// device activation; Chromium's virtual authenticator plays the key.

/** A fresh browser context (no cookies: a browser Gatehouse has never seen) and its page. */
async function newBrowser(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

async function useKeyOnVerify(page: Page) {
  await expect(page.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
  await page.getByRole("button", { name: "Use my security key" }).click();
}

/** The only credential of an authenticator, moved or copied into an authenticator on another page. */
async function carryKey(from: VirtualAuthenticator, to: Page, protocol: AuthenticatorProtocol, signCount?: number) {
  const target = await addVirtualAuthenticator(to, { protocol });
  const [credential] = await from.getCredentials();
  await cloneCredential(from, target, credential!.credentialId, { signCount });
  return target;
}

for (const protocol of ["u2f", "ctap2"] as const) {
  test(`${protocol}: a user with a key is asked for it at login, and on a new browser it also activates the device`, async ({ page, browser }) => {
    const org = await signUpOrg(page, `Verify ${protocol}`);
    await allowSecurityKeys(page);
    const key = await addVirtualAuthenticator(page, { protocol });
    await registerKeyInUi(page, org.password, `Login ${protocol} key`);

    // Same browser (activated at sign-up): the key is the second factor.
    await logOut(page);
    await logIn(page, org.adminEmail);
    await page.waitForURL("**/verify");
    await expect(page.getByText("asks for a second step when you log in")).toBeVisible();
    await useKeyOnVerify(page);
    await page.waitForURL("**/home");

    // A new browser: the key answers both needs at once; no code is offered.
    const other = await newBrowser(browser);
    await carryKey(key, other, protocol);
    await logIn(other, org.adminEmail);
    await other.waitForURL("**/verify");
    await expect(other.getByRole("button", { name: "Email me a code" })).toHaveCount(0);
    await useKeyOnVerify(other);
    await other.waitForURL("**/home");
    await other.goto("/settings/advanced");
    await expect(other.getByRole("list", { name: "Activated devices" }).getByRole("listitem")).toHaveCount(2);
    await expect(other.getByRole("list", { name: "Recent identity verifications" })).toContainText("Login · Security key");
    await other.context().close();

    await page.goto("/setup/verification-history");
    await expect(page.getByRole("table")).toContainText("Login");
    await expect(page.getByRole("table")).toContainText("Security key");
    await page.goto("/setup/login-history");
    await expect(page.getByRole("table")).toContainText("Verification required");
  });
}

test("a user without a key activates a new browser with the emailed code; that browser is not asked again", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Devices");
  const username = `dana@${org.slug}.test`;
  await addUser(page, { name: "Dana Device", username });

  const dana = await newBrowser(browser);
  await setPasswordFromEmail(dana, username);
  await logIn(dana, username);
  await dana.waitForURL("**/verify");
  await expect(dana.getByText("from a browser Gatehouse hasn't seen")).toBeVisible();

  // A wrong code is refused with a clear message, then the real one works.
  await dana.getByRole("button", { name: "Email me a code" }).click();
  const first = await waitForSpooledMail(e2eMailSettings().spoolDir, username, { subject: ACTIVATION_SUBJECT });
  const wrong = /\b(\d{6})\b/.exec(first.parsed.text ?? "")![1] === "000000" ? "000001" : "000000";
  await dana.getByLabel("Verification code").fill(wrong);
  await dana.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(dana.getByText("That code isn't right.", { exact: false }).first()).toBeVisible();
  const mail = await activateWithEmailedCode(dana, username);
  expect(mail.parsed.text).toMatch(/Chrome \d+ on Linux/);
  await dana.waitForURL("**/home");

  await logOut(dana);
  await logIn(dana, username);
  await dana.waitForURL("**/home");
  await dana.context().close();

  // The admin sees the activated device on Dana's page and can revoke it.
  await page.goto("/setup/users");
  await page.getByRole("link", { name: "Dana Device" }).click();
  const devices = page.getByRole("list", { name: "Activated devices" });
  await expect(devices.getByRole("listitem")).toHaveCount(1);
  await devices.getByRole("button", { name: /^Revoke / }).click();
  await expect(page.getByText("No activated devices.")).toBeVisible();
});

test("u2f: a key re-imported with a lower sign counter is refused, and the user and the admin are emailed", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Clones");
  await allowSecurityKeys(page);
  const key = await addVirtualAuthenticator(page, { protocol: "u2f" });
  await registerKeyInUi(page, org.password, "Original key");
  // Use it once at login so the server's stored counter is past zero.
  await logOut(page);
  await logIn(page, org.adminEmail);
  await useKeyOnVerify(page);
  await page.waitForURL("**/home");

  // A copy of the key, made before that login (counter 0), in another browser.
  const thief = await newBrowser(browser);
  await carryKey(key, thief, "u2f", 0);
  await logIn(thief, org.adminEmail);
  await useKeyOnVerify(thief);
  await expect(thief.getByText("This security key may have been copied")).toBeVisible();
  await expect(thief).toHaveURL(/\/verify$/);
  // Back on /verify, the user is told why their key isn't offered.
  await thief.reload();
  await expect(thief.getByText("Your security key “Original key” isn't offered")).toBeVisible();
  await expect(thief.getByRole("button", { name: "Use my security key" })).toHaveCount(0);
  await thief.context().close();

  const { spoolDir } = e2eMailSettings();
  const toUser = await waitForSpooledMail(spoolDir, org.adminEmail, { subject: "One of your security keys may have been copied" });
  expect(toUser.parsed.text).toContain("Original key");
  const toAdmins = await waitForSpooledMail(spoolDir, org.adminEmail, { subject: `Possible cloned security key: ${org.adminEmail}` });
  expect(toAdmins.parsed.text).toContain("Original key");
  // The admin's email explains the counter and links to the user's page.
  expect(toAdmins.parsed.text).toContain("a security key counts its own uses");
  const userPage = /https?:\/\/\S+\/setup\/users\/[0-9a-f-]{36}/.exec(toAdmins.parsed.text ?? "")?.[0];
  expect(userPage).toBeTruthy();

  await page.goto("/settings/advanced");
  await expect(page.getByRole("list", { name: "Your security keys" })).toContainText("Possible cloned key");

  // Setup → Users counts the flagged key apart; on the user's page the admin reviews and clears the flag (audited).
  await page.goto("/setup/users");
  const row = page.getByRole("row").filter({ hasText: org.adminEmail });
  await expect(row).toContainText("1 flagged key");
  await expect(row).not.toContainText("1 key");
  await page.goto(new URL(userPage!).pathname);
  const keys = page.getByRole("list", { name: "Security keys" });
  await expect(keys).toContainText("Possible cloned key");
  await page.getByRole("button", { name: "Clear the flag on Original key" }).click();
  await verifyIfAsked(page, keys.getByRole("button", { name: "Remove Original key" }));
  await expect(keys).not.toContainText("Possible cloned key");
  await page.goto("/setup/audit-trail");
  await expect(page.getByRole("table")).toContainText("Cleared possible cloned key flag");
  await page.goto("/setup/users");
  await expect(page.getByRole("row").filter({ hasText: org.adminEmail })).toContainText("1 key");
});
