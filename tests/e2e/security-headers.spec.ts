import { expect, test } from "@playwright/test";
import { formAlert, logIn } from "../support/pages";

test("pages carry a nonce-based Content-Security-Policy, and run under it without violations", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto("/login");
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(headers["permissions-policy"]).toContain("publickey-credentials-get=(self)");
  // Next.js put the request's nonce on its scripts; a second load gets a new one.
  expect(await page.locator("script[nonce]").count()).toBeGreaterThan(0);
  const again = (await page.request.get("/login")).headers()["content-security-policy"] ?? "";
  expect(/'nonce-([^']+)'/.exec(again)?.[1]).not.toBe(nonce);

  // The page is live (hydrated): the form posts through its script and shows the server's answer.
  await logIn(page, "nobody@nowhere.test", "not-a-password-123");
  await expect(formAlert(page)).toHaveText("Check your username and password");
  expect(violations).toEqual([]);
});
