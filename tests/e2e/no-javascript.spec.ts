import { expect, test, type Browser, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import { ACTIVATION_SUBJECT, addUser, E2E_PASSWORD, invitationEmail, signUpOrg, signupCodeFromEmail } from "../support/pages";
import { spooledMailTo, waitForSpooledMail } from "../support/test-smtp";

// Issue 24 item 16: before the page's JavaScript runs (a slow connection, a
// blocked script), pressing Enter in a form that carries a secret or personal
// data must never put it in the URL, the history or an access log. Every such
// form posts to something that answers it with a redirect, and the user lands
// on the page the script would have shown: the next step, or the refusal.

const SECRET = "typed-secret-0123456789";

/** Every URL the page's main frame requests or lands on from now on: what the address bar, the history and an access log would hold. */
function visitedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) urls.push(request.url());
  });
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

function expectNoneIn(urls: string[], typed: string[]): void {
  expect(urls.length).toBeGreaterThan(0);
  for (const url of urls) {
    for (const value of typed) {
      expect(url).not.toContain(value);
      expect(url).not.toContain(encodeURIComponent(value));
    }
  }
}

/** A new browser with JavaScript off (the page's own scripts never run). */
async function noJavaScript(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  return context.newPage();
}

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("the login form posts: a wrong password comes back as the generic message, nothing typed in the URL", async ({ page }) => {
    const urls = visitedUrls(page);
    await page.goto("/login");
    await page.getByLabel("Username").fill("someone@example.test");
    await page.getByLabel("Password").fill(SECRET);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL("**/login?reason=login-failed");
    expectNoneIn(urls, [SECRET, "someone"]);
    await expect(page.getByText("Check your username and password.")).toBeVisible();
  });

  test("forgot password: the username never reaches the URL; the page says a link was sent, or what to fix", async ({ page }) => {
    const urls = visitedUrls(page);
    await page.goto("/forgot-password");
    await page.getByLabel("Username").fill("not-an-email");
    await page.getByLabel("Username").press("Enter");
    await page.waitForURL("**/forgot-password?reason=check-username");
    await expect(page.getByText("Enter your username: the email address you log in with.")).toBeVisible();

    await page.getByLabel("Username").fill("ada@nojs-forgot.test");
    await page.getByLabel("Username").press("Enter");
    await page.waitForURL("**/forgot-password?sent=1");
    await expect(page.getByText("If that username belongs to an active account, we've emailed its owner a link")).toBeVisible();
    expectNoneIn(urls, ["not-an-email", "ada@nojs-forgot.test", "nojs-forgot"]);
  });

  test("sign-up, both steps: details and code stay out of the URL; a refusal names the field, the right code creates the org and signs in", async ({
    page,
  }) => {
    const urls = visitedUrls(page);
    const id = Date.now().toString(36);
    const details = { "Org name": `No JS ${id}`, "URL name": `nojs-${id}`, "Your name": "Ada Nojs", Email: `ada@nojs-${id}.test` };
    async function fillDetails(password: string) {
      for (const [label, value] of Object.entries(details)) await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByLabel("Password", { exact: true }).fill(password);
      await page.getByLabel("Password", { exact: true }).press("Enter");
    }

    await page.goto("/signup");
    await fillDetails("short");
    await page.waitForURL("**/signup?reason=check-details&fields=password");
    await expect(page.getByText("Check the details and try again: Password.")).toBeVisible();

    await fillDetails(SECRET);
    await page.waitForURL("**/signup?step=code");
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();
    const code = await signupCodeFromEmail(details.Email);
    const wrong = code === "000000" ? "111111" : "000000";
    await page.getByLabel("Verification code").fill(wrong);
    await page.getByLabel("Verification code").press("Enter");
    await page.waitForURL("**/signup?step=code&reason=code-refused");
    await expect(page.getByText("That code didn't work.")).toBeVisible();

    await page.getByLabel("Verification code").fill(code);
    await page.getByLabel("Verification code").press("Enter");
    await page.waitForURL("**/home");
    expectNoneIn(urls, [...Object.values(details), SECRET, "short", code, wrong]);
  });
});

test("set password from an invitation link: the password never reaches the URL; a refusal comes back to the link's page, then it saves", async ({
  page,
  browser,
  baseURL,
}) => {
  await signUpOrg(page, "No JS invite");
  const username = `nina-${Date.now().toString(36)}@nojs-invite.test`;
  await addUser(page, { name: "Nina Nojs", username });
  const { link } = await invitationEmail(username);

  const noJs = await noJavaScript(browser, baseURL);
  const urls = visitedUrls(noJs);
  await noJs.goto(link);
  await noJs.getByLabel("New password").fill(SECRET);
  await noJs.getByLabel("Confirm password").fill(`${SECRET}-typo`);
  await noJs.getByLabel("Confirm password").press("Enter");
  await noJs.waitForURL(`${link}?reason=check-password`);
  await expect(noJs.getByText("Check the new password")).toBeVisible();

  await noJs.getByLabel("New password").fill(SECRET);
  await noJs.getByLabel("Confirm password").fill(SECRET);
  await noJs.getByLabel("Confirm password").press("Enter");
  await noJs.waitForURL("**/login?password-set=1");
  expectNoneIn(urls, [SECRET]);
  await noJs.context().close();
});

test("/verify's emailed code: sending and checking it work without JavaScript, the code never in the URL", async ({ page, browser, baseURL }) => {
  const org = await signUpOrg(page, "No JS verify");
  const noJs = await noJavaScript(browser, baseURL);
  const urls = visitedUrls(noJs);
  await noJs.goto("/login");
  await noJs.getByLabel("Username").fill(org.adminEmail);
  await noJs.getByLabel("Password").fill(E2E_PASSWORD);
  await noJs.getByLabel("Password").press("Enter");
  // A new browser for this user: device activation, by the emailed code.
  await noJs.waitForURL("**/verify");
  const { spoolDir } = e2eMailSettings();
  const before = (await spooledMailTo(spoolDir, org.adminEmail, ACTIVATION_SUBJECT)).length;
  await noJs.getByRole("button", { name: "Email me a code" }).click();
  await noJs.waitForURL("**/verify");
  const mail = await waitForSpooledMail(spoolDir, org.adminEmail, { subject: ACTIVATION_SUBJECT, after: before });
  const code = /\b(\d{6})\b/.exec(mail.parsed.text ?? "")?.[1] ?? "";
  const wrong = code === "000000" ? "111111" : "000000";

  await noJs.getByLabel("Verification code").fill(wrong);
  await noJs.getByLabel("Verification code").press("Enter");
  await noJs.waitForURL("**/verify?reason=code-refused");
  await expect(noJs.getByText("That code didn't work. Check it and try again.")).toBeVisible();

  await noJs.getByLabel("Verification code").fill(code);
  await noJs.getByLabel("Verification code").press("Enter");
  await noJs.waitForURL("**/home");
  expectNoneIn(urls, [E2E_PASSWORD, code, wrong, org.adminEmail]);
  await noJs.context().close();
});

test("/verify's one-time codes (a recovery code): refused and accepted without JavaScript, the code never in the URL", async ({ page, browser, baseURL }) => {
  const org = await signUpOrg(page, "No JS recovery");
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: /^(Generate|Regenerate)$/ }).click();
  const verify = page.getByRole("heading", { name: "For security purposes, verify it's you" });
  const list = page.getByRole("list", { name: "Your new recovery codes" });
  await expect(verify.or(list)).toBeVisible();
  if (await verify.isVisible()) {
    await page.getByLabel("Password").fill(org.password);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const [code] = await list.getByRole("listitem").allTextContents();
  await page.getByRole("button", { name: "I've saved them" }).click();

  const noJs = await noJavaScript(browser, baseURL);
  const urls = visitedUrls(noJs);
  await noJs.goto("/login");
  await noJs.getByLabel("Username").fill(org.adminEmail);
  await noJs.getByLabel("Password").fill(E2E_PASSWORD);
  await noJs.getByLabel("Password").press("Enter");
  await noJs.waitForURL("**/verify");
  await expect(noJs.getByRole("heading", { level: 2, name: "Recovery code" })).toBeVisible();
  await noJs.getByLabel("Recovery code").fill(SECRET);
  await noJs.getByLabel("Recovery code").press("Enter");
  await noJs.waitForURL("**/verify?reason=code-refused");
  await expect(noJs.getByText("That code didn't work. Check it and try again.")).toBeVisible();

  await noJs.getByLabel("Recovery code").fill(code!.trim());
  await noJs.getByLabel("Recovery code").press("Enter");
  await noJs.waitForURL("**/home");
  expectNoneIn(urls, [E2E_PASSWORD, SECRET, code!.trim()]);
  await noJs.context().close();
});

test("a correct password logs in without JavaScript, through the password step's redirect", async ({ page, browser, baseURL }) => {
  const org = await signUpOrg(page, "No JS");
  const noJs = await noJavaScript(browser, baseURL);
  await noJs.goto("/login");
  await noJs.getByLabel("Username").fill(org.adminEmail);
  await noJs.getByLabel("Password").fill(E2E_PASSWORD);
  await noJs.getByLabel("Password").press("Enter");
  // A new browser for this user: device activation is next, on /verify.
  await noJs.waitForURL("**/verify");
  expect(noJs.url()).not.toContain(E2E_PASSWORD);
  await expect(noJs.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
  await noJs.context().close();
});

test("a GET that carries typed values in its query string (an old bookmark, a form posted as GET) is answered with the page, never an error", async ({
  page,
}) => {
  const query = `username=ada%40acme.test&password=${SECRET}&code=123456`;
  for (const path of ["/login", "/signup", "/forgot-password", "/verify", "/set-password/no-such-token"]) {
    const response = await page.goto(`${path}?${query}`);
    expect(response?.status(), path).toBe(200);
    await expect(page.locator("h1").first(), path).toBeVisible();
  }
});
