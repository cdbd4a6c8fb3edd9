import { expect, test } from "@playwright/test";
import { E2E_PASSWORD, signUpOrg } from "../support/pages";

// Issue 24 item 16: before the page's JavaScript runs (a slow connection, a
// blocked script), pressing Enter in a form that carries a secret or personal
// data must never put it in the URL, the history or an access log. Every such
// form posts; the login form also works, through the password step's redirect.

const SECRET = "typed-secret-0123456789";

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("the login form posts: a wrong password comes back as the generic message, nothing typed in the URL", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Username").fill("someone@example.test");
    await page.getByLabel("Password").fill(SECRET);
    await page.getByLabel("Password").press("Enter");
    await page.waitForURL("**/login?reason=login-failed");
    expect(page.url()).not.toContain(SECRET);
    expect(page.url()).not.toContain("someone");
    await expect(page.getByText("Check your username and password.")).toBeVisible();
  });

  for (const [path, fields] of [
    ["/signup", { "Org name": "Acme", "URL name": "acme-nojs", "Your name": "Ada", Email: "ada@nojs.test", Password: SECRET }],
    ["/forgot-password", { Username: "ada@nojs.test" }],
  ] as const) {
    test(`${path} posts: what was typed never reaches the URL`, async ({ page }) => {
      await page.goto(path);
      let last = "";
      for (const [label, value] of Object.entries(fields)) {
        await page.getByLabel(label, { exact: true }).fill(value);
        last = label;
      }
      const navigation = page.waitForRequest((request) => request.isNavigationRequest() && request.frame() === page.mainFrame());
      await page.getByLabel(last, { exact: true }).press("Enter");
      const request = await navigation;
      expect(request.method()).toBe("POST");
      await page.waitForLoadState();
      for (const value of Object.values(fields)) expect(page.url()).not.toContain(encodeURIComponent(value));
    });
  }
});

test("a correct password logs in without JavaScript, through the password step's redirect", async ({ page, browser, baseURL }) => {
  const org = await signUpOrg(page, "No JS");
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const noJs = await context.newPage();
  await noJs.goto("/login");
  await noJs.getByLabel("Username").fill(org.adminEmail);
  await noJs.getByLabel("Password").fill(E2E_PASSWORD);
  await noJs.getByLabel("Password").press("Enter");
  // A new browser for this user: device activation is next, on /verify.
  await noJs.waitForURL("**/verify");
  expect(noJs.url()).not.toContain(E2E_PASSWORD);
  await expect(noJs.getByRole("heading", { name: "Verify your identity" })).toBeVisible();
  await context.close();
});
