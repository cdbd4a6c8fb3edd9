import fs from "node:fs";
import { expect, test, type BrowserContext, type Page, type Request } from "@playwright/test";
import { addUser, formAlert, logInAndWaitForHome, setPasswordFromEmail, signUpOrg, saveSessionSettings } from "../support/pages";

const KEY_LABEL = "Let users verify their identity with a physical security key (U2F)";
const KEY_AUDIT_ROW = `${KEY_LABEL}: False → True`;
const STALE = "Someone else changed these settings. Review the current values and save again.";

/** Setup → Settings → Security → Session Settings, as an admin clicks there. */
async function openSessionSettings(page: Page) {
  await page.goto("/home");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Setup" }).click();
  await page.getByRole("navigation", { name: "Setup" }).getByRole("link", { name: "Session Settings" }).click();
  await expect(page.getByRole("heading", { name: "Session Settings" })).toBeVisible();
}

/** Save, answering "verify it's you" when the admin has not verified within the org's window. */
async function save(page: Page) {
  await saveSessionSettings(page);
}

/**
 * Fills in a save and captures the browser's server-action request without
 * letting it reach the server, so tests can send it again from other sessions.
 */
async function captureSave(page: Page): Promise<Request> {
  let captured: Request | undefined;
  let posts = 0;
  await page.route("**/setup/session-settings", async (route) => {
    // The first POST is Save's preview of the warnings (it changes nothing); the second is the save itself.
    if (route.request().method() !== "POST" || ++posts === 1) return route.continue();
    captured = route.request();
    await route.abort();
  });
  await page.getByRole("button", { name: "Save" }).click();
  await expect.poll(() => captured).toBeDefined();
  await page.unroute("**/setup/session-settings");
  return captured!;
}

/** Sends a captured server-action request again, with the cookies of `context`'s signed-in user. */
async function replay(context: BrowserContext, request: Request) {
  const headers = Object.fromEntries(Object.entries(await request.allHeaders()).filter(([name]) => !["cookie", "content-length"].includes(name)));
  return context.request.post(request.url(), { headers, data: request.postDataBuffer() ?? undefined, maxRedirects: 0 });
}

test("an admin lets users verify with a security key; it persists and shows in Setup Audit Trail and its CSV", async ({ page }) => {
  await signUpOrg(page, "Acme");
  await openSessionSettings(page);
  const keys = page.getByLabel(KEY_LABEL);
  await expect(keys).not.toBeChecked();
  await expect(page.getByLabel("Authenticator type")).toBeHidden();
  await expect(page.getByLabel("Timeout value")).toHaveValue("120");

  await keys.check();
  // The security key policy appears once keys are allowed.
  await expect(page.getByLabel("User verification")).toHaveValue("DISCOURAGED");
  await expect(page.getByLabel("Authenticator type")).toHaveValue("SECURITY_KEYS_ONLY");
  await save(page);
  await expect(page.getByText("Session settings saved.")).toBeVisible();

  await page.reload();
  await expect(page.getByLabel(KEY_LABEL)).toBeChecked();

  await page.getByRole("navigation", { name: "Setup" }).getByRole("link", { name: "Setup Audit Trail" }).click();
  await expect(page.getByRole("heading", { name: "Setup Audit Trail" })).toBeVisible();
  const rows = page.getByRole("row");
  await expect(rows.nth(1)).toContainText(KEY_AUDIT_ROW);
  await expect(rows.nth(1)).toContainText("Erin Admin");
  await expect(rows.nth(1)).toContainText("Session Settings");
  await expect(page.getByRole("cell", { name: "Created org" })).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const csv = fs.readFileSync((await download.path())!, "utf8");
  expect(csv).toContain(`"${KEY_LABEL}","False","True","${KEY_AUDIT_ROW}"`);
});

test("a bad value shows its field error and saves nothing; a save over another admin's is refused", async ({ page, browser }) => {
  const org = await signUpOrg(page, "Acme");
  await addUser(page, { name: "Olga Other", username: `olga@${org.slug}.test`, role: "Admin" });
  await openSessionSettings(page);

  const windowField = page.getByLabel("Re-authentication window for registering a verification method (minutes)");
  await windowField.fill("61");
  await page.getByLabel("Lock sessions to the IP address from which they originated").check();
  await save(page);
  await expect(formAlert(page)).toHaveText("Check the highlighted fields.");
  await expect(page.getByText("Enter a whole number of minutes from 1 to 60.")).toBeVisible();
  await page.reload();
  await expect(windowField).toHaveValue("10");
  await expect(page.getByLabel("Lock sessions to the IP address from which they originated")).not.toBeChecked();

  // Olga loads the same version, Erin saves first, then Olga saves.
  const olgaContext = await browser.newContext();
  const olga = await olgaContext.newPage();
  await setPasswordFromEmail(olga, `olga@${org.slug}.test`);
  await logInAndWaitForHome(olga, `olga@${org.slug}.test`);
  await openSessionSettings(olga);
  await page.getByLabel("Timeout value").selectOption({ label: "30 minutes" });
  await save(page);
  await expect(page.getByText("Session settings saved.")).toBeVisible();

  await olga.getByLabel(KEY_LABEL).check();
  await save(olga);
  await expect(formAlert(olga)).toHaveText(STALE);
  // Olga now sees the current values, and her change was not saved.
  await expect(olga.getByLabel("Timeout value")).toHaveValue("30");
  await expect(olga.getByLabel(KEY_LABEL)).not.toBeChecked();
  await page.goto("/setup/audit-trail");
  await expect(page.getByText(KEY_LABEL)).toHaveCount(0);
  await expect(page.getByText("Timeout value: 2 hours → 30 minutes")).toBeVisible();
  await olgaContext.close();
});

test("a standard user gets 403 on the page and the save action; a Globex admin cannot read or change Acme's settings", async ({ page, browser }) => {
  const acme = await signUpOrg(page, "Acme");
  await addUser(page, { name: "Sam Standard", username: `sam@${acme.slug}.test` });
  await openSessionSettings(page);
  await page.getByLabel(KEY_LABEL).check();
  await save(page);
  await expect(page.getByText("Session settings saved.")).toBeVisible();

  // A genuine save request of Acme's admin (Timeout value → 30 minutes), held back from the server.
  await page.reload();
  await page.getByLabel("Timeout value").selectOption({ label: "30 minutes" });
  const acmeSave = await captureSave(page);

  const samContext = await browser.newContext();
  const sam = await samContext.newPage();
  await setPasswordFromEmail(sam, `sam@${acme.slug}.test`);
  await logInAndWaitForHome(sam, `sam@${acme.slug}.test`);
  for (const path of ["/setup/session-settings", "/setup/audit-trail"]) {
    const response = await sam.goto(path);
    expect(response?.status(), path).toBe(403);
    await expect(sam.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  }
  expect((await replay(samContext, acmeSave)).status()).toBe(403);
  expect((await samContext.request.get("/setup/audit-trail/export")).status()).toBe(403);
  await samContext.close();

  const globexContext = await browser.newContext();
  const globex = await globexContext.newPage();
  await signUpOrg(globex, "Globex");
  await openSessionSettings(globex);
  // Globex sees its own defaults, not Acme's settings.
  await expect(globex.getByLabel(KEY_LABEL)).not.toBeChecked();
  await globex.goto("/setup/audit-trail");
  await expect(globex.getByText(KEY_AUDIT_ROW)).toHaveCount(0);
  await expect(globex.getByText(acme.name)).toHaveCount(0);
  const globexCsv = await (await globexContext.request.get("/setup/audit-trail/export")).text();
  expect(globexCsv).not.toContain(KEY_LABEL);
  expect(globexCsv).not.toContain(acme.slug);
  // Acme's own save request, sent with Globex's session, acts on Globex only
  // (Globex saves once first, so the request's version matches Globex's).
  await globex.goto("/setup/session-settings");
  await globex.getByLabel(KEY_LABEL).check();
  await save(globex);
  await expect(globex.getByText("Session settings saved.")).toBeVisible();
  expect((await replay(globexContext, acmeSave)).status()).toBe(200);
  await globex.goto("/setup/session-settings");
  await expect(globex.getByLabel("Timeout value")).toHaveValue("30");
  await globexContext.close();

  await page.reload();
  await expect(page.getByLabel("Timeout value")).toHaveValue("120");
  await expect(page.getByLabel(KEY_LABEL)).toBeChecked();
  // The same request with Acme's admin session does save: the refusals above were not a broken replay.
  expect((await replay(page.context(), acmeSave)).status()).toBe(200);
  await page.reload();
  await expect(page.getByLabel("Timeout value")).toHaveValue("30");
});
