import { decodeAttestationObject, isoBase64URL } from "@simplewebauthn/server/helpers";
import { expect, test, type Page } from "@playwright/test";
import { e2eMailSettings } from "../support/e2e-mail";
import { allowSecurityKeys, KEY_SETTING_LABEL, signUpOrg, VERIFY_PROMPT, verifyIfAsked } from "../support/pages";
import { waitForSpooledMail } from "../support/test-smtp";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

const REGISTERED = "A security key was registered to your Gatehouse account";
const REMOVED = "A security key was removed from your Gatehouse account";

/** The attestation format the browser sent to the server when the key was registered. */
async function attestationFormatOf(page: Page, register: () => Promise<void>): Promise<string> {
  const request = page.waitForRequest((r) => r.url().endsWith("/api/webauthn/register/verify"));
  await register();
  const body = (await request).postDataJSON() as { response: { response: { attestationObject: string } } };
  return decodeAttestationObject(isoBase64URL.toBuffer(body.response.response.attestationObject)).get("fmt");
}

for (const [protocol, format] of [
  ["u2f", "fido-u2f"],
  ["ctap2", "packed"],
] as const) {
  test(`${protocol} key: registered after re-authentication, named, listed, renamed and removed, with emails`, async ({ page }) => {
    const org = await signUpOrg(page, `Keys ${protocol}`);
    // Allowing keys is the admin's first sensitive change: it asks "verify it's you".
    await page.goto("/setup/session-settings");
    await page.getByLabel(KEY_SETTING_LABEL).check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: VERIFY_PROMPT })).toBeVisible();
    await page.getByLabel("Password").fill(org.password);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await expect(page.getByText("Session settings saved.")).toBeVisible();
    await addVirtualAuthenticator(page, { protocol });
    await page.goto("/settings/advanced");

    const fmt = await attestationFormatOf(page, async () => {
      await page.getByRole("button", { name: "Register", exact: true }).click();
      // Verified moments ago (inside the org's window): registration does not ask again.
      await expect(page.getByRole("heading", { name: "Name your key" })).toBeVisible();
      await expect(page.getByRole("heading", { name: VERIFY_PROMPT })).toBeHidden();
    });
    expect(fmt).toBe(format);

    await expect(page.getByRole("heading", { name: "Name your key" })).toBeVisible();
    await expect(page.getByLabel("Key name")).toHaveValue("Security key 1");
    await page.getByLabel("Key name").fill(`My ${protocol} key`);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: "Security key registered" })).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();
    const keys = page.getByRole("list", { name: "Your security keys" });
    await expect(keys).toContainText(`My ${protocol} key`);
    await expect(keys).toContainText("USB");
    await expect(page.getByText("Register a second key as a backup")).toBeVisible();

    const { spoolDir } = e2eMailSettings();
    const registered = await waitForSpooledMail(spoolDir, org.adminEmail, { subject: REGISTERED });
    // The email waited for "Name your key": it carries the chosen name, not the suggestion.
    expect(registered.parsed.text).toContain(`My ${protocol} key`);
    expect(registered.parsed.text).not.toContain("Security key 1");
    expect(registered.parsed.text).toMatch(/Chrome \d+ on Linux/);
    expect(registered.parsed.html).toContain("Review your security keys");

    await page.getByRole("button", { name: `Rename My ${protocol} key` }).click();
    await page.getByLabel("New name").fill("Desk key");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(keys).toContainText("Desk key");
    await expect(page.getByText(`Renamed “My ${protocol} key” to “Desk key”.`)).toBeVisible();

    // Remove asks in the page (no browser dialog): Cancel keeps the key, "Remove key" removes it.
    await page.getByRole("button", { name: "Remove Desk key" }).click();
    await page.getByRole("group", { name: "Remove Desk key?" }).getByRole("button", { name: "Cancel" }).click();
    await expect(keys).toContainText("Desk key");
    await page.getByRole("button", { name: "Remove Desk key" }).click();
    await page.getByRole("button", { name: "Remove key" }).click();
    await expect(page.getByText("No security keys registered.")).toBeVisible();
    await expect(page.getByText("“Desk key” was removed. We've emailed you about this change.")).toBeVisible();
    const removed = await waitForSpooledMail(spoolDir, org.adminEmail, { subject: REMOVED });
    expect(removed.parsed.text).toContain("Desk key");
  });
}

test("the same key cannot be registered twice (excludeCredentials)", async ({ page }) => {
  const org = await signUpOrg(page, "Twice");
  await allowSecurityKeys(page);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Register", exact: true }).click();
  await verifyIfAsked(page, page.getByRole("heading", { name: "Name your key" }), org.password);
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByRole("button", { name: "Continue" }).click();

  await page.getByRole("button", { name: "Register", exact: true }).click();
  await expect(page.getByText("This security key is already registered")).toBeVisible();
  await expect(page.getByRole("button", { name: "Try again" })).toBeVisible();
});

test("with keys off there is no Register button and the registration endpoints answer 403", async ({ page }) => {
  await signUpOrg(page, "No keys");
  await page.goto("/settings/advanced");
  await expect(page.getByText("Your org hasn't turned on security keys.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Register", exact: true })).toHaveCount(0);

  const options = await page.request.post("/api/webauthn/register/options", { data: {} });
  expect(options.status()).toBe(403);
  expect(await options.json()).toMatchObject({ ok: false, code: "keys-disabled", error: expect.stringContaining("turned off security keys") });

  const fake = { id: "AAAA", rawId: "AAAA", type: "public-key", clientExtensionResults: {}, response: { clientDataJSON: "AAAA", attestationObject: "AAAA" } };
  const verify = await page.request.post("/api/webauthn/register/verify", { data: { response: fake } });
  expect(verify.status()).toBe(403);
});

test("the registration endpoints refuse a cross-origin request and a signed-out caller", async ({ page, playwright, baseURL }) => {
  await signUpOrg(page, "Origins");
  const crossOrigin = await page.request.post("/api/webauthn/register/options", { data: {}, headers: { Origin: "https://evil.example" } });
  expect(crossOrigin.status()).toBe(403);
  const anonymous = await playwright.request.newContext({ baseURL });
  const signedOut = await anonymous.post("/api/webauthn/register/options", { data: {} });
  expect(signedOut.status()).toBe(401);
  await anonymous.dispose();
});
