import { expect, test, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import {
  activateWithEmailedCode,
  addUser,
  allowSecurityKeys,
  chooseVerifyMethod,
  logIn,
  logOut,
  registerKeyInUi,
  saveSessionSettings,
  setPasswordFromEmail,
  signUpOrg,
} from "../support/pages";
import { spooledMailTo, waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator, type AuthenticatorProtocol } from "../support/virtual-authenticator";
import { base32Decode, stepAt, totpAt } from "../../lib/verification/totp";

// Requirements by role (DESIGN.md section 14, issue 28) in Chromium: after the
// date, an admin with only an authenticator app logs in with it, is taken to
// register a key (a real U2F or CTAP2 key from the virtual authenticator), and
// then reaches Setup; a standard user of the same org still logs in with the app.

/** Advanced User Details → Authenticator app → Connect (verifying with the password); returns the app's secret. */
async function connectApp(page: Page, password: string): Promise<Buffer> {
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = base32Decode((await page.getByLabel("Authenticator secret").textContent())!);
  await page.getByLabel("Code from the app").fill(totpAt(secret, stepAt(new Date())));
  await page.getByRole("button", { name: "Connect", exact: true }).click();
  await expect(page.getByText("Connected.")).toBeVisible();
  return secret;
}

/** On /verify: the app's next code (the current step may have been spent connecting it). */
async function verifyWithApp(page: Page, secret: Buffer): Promise<void> {
  await page.waitForURL("**/verify");
  await chooseVerifyMethod(page, "Authenticator app");
  await page.getByLabel("Authenticator code").fill(totpAt(secret, stepAt(new Date()) + 1));
  await page.getByRole("button", { name: "Verify with authenticator app" }).click();
}

/** The enrolment-only session's "Confirm your email first": the code from the newest email, as the user would. */
async function confirmEmail(page: Page, address: string): Promise<void> {
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

const yesterdayUtc = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

for (const protocol of ["u2f", "ctap2"] as AuthenticatorProtocol[]) {
  test(`${protocol}: an admin with only an app is taken to register a key after the date, then reaches Setup; a standard user still logs in with the app`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    // Session Settings confirms what the save would do ("… have no security key", "at once"): the admin accepts.
    page.on("dialog", (dialog) => void dialog.accept());
    const org = await signUpOrg(page, `Role keys ${protocol}`);
    await allowSecurityKeys(page);

    // A standard user with an authenticator app.
    const sam = `sam@${org.slug}.test`;
    await addUser(page, { name: "Sam Standard", username: sam });
    await logOut(page);
    await setPasswordFromEmail(page, sam);
    await logIn(page, sam);
    await page.waitForURL("**/verify");
    await activateWithEmailedCode(page, sam);
    await page.waitForURL("**/home");
    const samSecret = await connectApp(page, org.password);
    await logOut(page);

    // The admin connects an app, then requires a security key of admins from yesterday.
    await logIn(page, org.adminEmail);
    // This browser was last activated for Sam: the admin (no second factor yet) may be asked to activate it again.
    await page.waitForURL(/\/(home|verify)$/);
    if (page.url().endsWith("/verify")) await activateWithEmailedCode(page, org.adminEmail);
    await page.waitForURL("**/home");
    const adminSecret = await connectApp(page, org.password);
    await page.goto("/setup/session-settings");
    const admins = page.getByRole("group", { name: "Admin" });
    await admins.getByLabel("Required verification").selectOption({ label: "Security key only" });
    await admins.getByLabel("Required from").fill(yesterdayUtc());
    await expect(admins.getByText(/1 admin has no security key: Erin Admin\..*at once/)).toBeVisible();
    await saveSessionSettings(page, org.password);
    await expect(page.getByText("Your role now requires a security key")).toBeVisible();
    await logOut(page);

    // Next login: the app still verifies (no key yet), and the session can only register one.
    await logIn(page, org.adminEmail);
    await verifyWithApp(page, adminSecret);
    await page.waitForURL(/\/settings\/advanced\?enrol=mfa$/);
    await expect(page.getByText(/requires a security key for your role\. Register a security key below/)).toBeVisible();
    await page.goto("/setup");
    await page.waitForURL(/\/settings\/advanced\?enrol=mfa$/);

    await confirmEmail(page, org.adminEmail);
    await addVirtualAuthenticator(page, { protocol });
    await registerKeyInUi(page, org.password, `Admin ${protocol} key`);
    await page.goto("/setup");
    await expect(page.getByRole("heading", { name: "Setup", level: 1 })).toBeVisible();
    await logOut(page);

    // The standard user's role has no such rule: the app still logs them in.
    await logIn(page, sam);
    await verifyWithApp(page, samSecret);
    await page.waitForURL("**/home");
    await expect(page.getByText("You verify with an authenticator app after your password.")).toBeVisible();
  });
}
