import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD, addUser, allowSecurityKeys, registerKeyInUi, signupCodeFromEmail } from "../support/pages";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

// Issue 30 items 13 and 14: with the longest values the forms accept (100-character
// names, 254-character usernames, 64-character key names), no page grows wider than
// the viewport on a 390 px phone or a 1280 px desktop, and Setup → Users keeps its
// search box and key count in view.

/** A 254-character email-shaped address: a 64-character local part and 63-character labels. */
function longAddress(tag: string): string {
  const local = `${tag}${"a".repeat(64 - tag.length)}`;
  const domain = `${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(56)}.test`;
  return `${local}@${domain}`;
}

/** A long address that still gets the sign-up code through the test SMTP server (a 254-character one is not delivered). */
function longDeliverableAddress(tag: string): string {
  return `${tag}${"a".repeat(64 - tag.length)}@${"b".repeat(50)}.test`;
}

const longName = (first: string) => `${first} ${"Verylongfamilyname".repeat(6)}`.slice(0, 100);

async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test("no page is wider than the viewport with the longest names, at 390 px and 1280 px", async ({ page }) => {
  test.setTimeout(180_000);
  const id = crypto.randomBytes(4).toString("hex");
  const admin = longDeliverableAddress(`z${id}`);
  await page.goto("/signup");
  await page.getByLabel("Org name").fill(`Org ${id} ${"Wideorganisationname".repeat(5)}`.slice(0, 100));
  await page.getByLabel("URL name").fill(`e2e-${id}`);
  await page.getByLabel("Your name").fill(longName("Admin"));
  await page.getByLabel("Email").fill(admin);
  await page.getByLabel("Password").fill(E2E_PASSWORD);
  await page.getByRole("button", { name: "Create org" }).click();
  await page.getByLabel("Verification code").fill(await signupCodeFromEmail(admin));
  await page.getByRole("button", { name: "Verify and create org" }).click();
  await page.waitForURL("**/home");

  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "u2f" });
  await registerKeyInUi(page, E2E_PASSWORD, `Key ${"K".repeat(60)}`);
  const username = longAddress(`y${id}`);
  expect(username).toHaveLength(254);
  const userId = await addUser(page, { name: longName("Dana"), username });

  const paths = [
    "/home",
    "/settings/advanced",
    "/setup",
    "/setup/session-settings",
    "/setup/users",
    `/setup/users/${userId}`,
    "/setup/verification-history",
    "/setup/login-history",
    "/setup/audit-trail",
    "/setup/email-log",
    "/setup/api-tokens",
    "/setup/event-streams",
  ];
  const wide: string[] = [];
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of paths) {
      await page.goto(path);
      const extra = await overflow(page);
      if (extra > 0) wide.push(`${path} at ${width} px: ${extra} px too wide`);
    }
  }
  expect(wide).toEqual([]);

  // Setup → Users on a phone: the search box keeps a usable width, and each user's key count is in view.
  await page.setViewportSize({ width: 390, height: 900 });
  await page.goto("/setup/users");
  expect((await page.getByRole("searchbox", { name: "Search users" }).boundingBox())!.width).toBeGreaterThan(200);
  await expect(page.getByText("1 key", { exact: true })).toBeInViewport();
});
