import { expect, test, type Page } from "@playwright/test";
import { decodeAttestationObject, isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import { allowSecurityKeys, logIn, logOut, registerKeyInUi, saveSessionSettings, signUpOrg } from "../support/pages";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";
import { TRUSTED_ROOTS_PORT } from "../../playwright.config";

// DESIGN §3 and §9, attestation, in a real browser. The main e2e server runs as
// a new user's `npm start` does: no extra roots, so Chromium's virtual keys
// (self-signed batch certificate) register as any maker's key does, their
// model claimed, and are refused wherever proof is required. The second server
// (TRUSTED_ROOTS_PORT) trusts that certificate through ATTESTATION_ROOTS_FILE,
// as an operator trusts in-house keys: there the same keys prove their model.

const CTAP2_AAGUID = "01020304-0506-0708-0102-030405060708";
const U2F_AAGUID = "00000000-0000-0000-0000-000000000000";

async function setModelList(page: Page, label: "Allowed authenticator models" | "Blocked authenticator models", aaguids: string) {
  await page.goto("/setup/session-settings");
  await page.getByLabel(label, { exact: true }).fill(aaguids);
  page.once("dialog", (dialog) => void dialog.accept());
  await saveSessionSettings(page);
  await expect(page.getByText("Session settings saved.")).toBeVisible();
}

/** Rewrites the registration the browser sends into fmt "none": an attacker claiming a model with nothing signed. */
async function strippingAttestation(page: Page) {
  await page.route("**/api/webauthn/register/verify", async (route) => {
    const body = route.request().postDataJSON() as { response: { response: { attestationObject: string } } };
    const attestation = decodeAttestationObject(isoBase64URL.toBuffer(body.response.response.attestationObject));
    const none = new Map<string, unknown>([
      ["fmt", "none"],
      ["attStmt", new Map()],
      ["authData", attestation.get("authData")],
    ]);
    body.response.response.attestationObject = isoBase64URL.fromBuffer(isoCBOR.encode(none as never));
    await route.continue({ postData: JSON.stringify(body) });
  });
}

async function tryToRegister(page: Page) {
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Register", exact: true }).click();
}

async function acceptOnlyVerifiedModels(page: Page) {
  await page.goto("/setup/session-settings");
  await page.getByLabel("Accept only verified key models").check();
  page.once("dialog", (dialog) => void dialog.accept());
  await saveSessionSettings(page);
  await expect(page.getByText("Session settings saved.")).toBeVisible();
}

for (const [protocol, shown] of [
  ["u2f", "an unidentified U2F key"],
  ["ctap2", CTAP2_AAGUID],
] as const) {
  test(`${protocol}: on a default start the key registers, its model claimed; under "Accept only verified key models" it stops working and a new one is refused`, async ({
    page,
  }) => {
    const org = await signUpOrg(page, `Claimed ${protocol}`);
    await allowSecurityKeys(page);
    await addVirtualAuthenticator(page, { protocol });
    await registerKeyInUi(page, org.password, `Claimed ${protocol} key`);
    const keys = page.getByRole("list", { name: "Your security keys" });
    await expect(keys).toContainText("Model claimed by the key");
    await expect(keys).not.toContainText("Verified model");

    // Turning verification on warns how many registered keys would stop working.
    await page.goto("/setup/session-settings");
    await page.getByLabel("Accept only verified key models").check();
    await expect(page.getByText("1 registered key would stop working with these settings")).toBeVisible();
    await acceptOnlyVerifiedModels(page);

    // Another key of the same make (a new authenticator, in a tab of the same session) is refused, saying what to do.
    const page2 = await page.context().newPage();
    await addVirtualAuthenticator(page2, { protocol });
    await tryToRegister(page2);
    await expect(
      page2.getByText(
        /^Your org only accepts security keys that prove their model, and this key didn't \(.+\)\. Use a security key from a known maker, or ask your admin\.$/,
      ),
    ).toBeVisible();
    await page2.close();

    // The registered key no longer verifies a login, by name.
    await logOut(page);
    await logIn(page, org.adminEmail);
    await page.waitForURL("**/verify");
    await page.getByRole("button", { name: "Use my security key" }).click();
    await expect(
      page.getByText(`Your org only accepts security keys that proved their model when they were registered, and this one didn't (${shown}).`, {
        exact: false,
      }),
    ).toBeVisible();
    await expect(page).toHaveURL(/\/verify/);
  });
}

test("an allow-list naming the virtual CTAP2 model refuses that key on a default start: its self-signed batch certificate proves nothing", async ({ page }) => {
  await signUpOrg(page, "Untrusted");
  await allowSecurityKeys(page);
  await setModelList(page, "Allowed authenticator models", CTAP2_AAGUID);
  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await tryToRegister(page);
  await expect(page.getByText(/Your org only allows specific security key models, and this key didn't prove which model it is \(.+\)\./)).toBeVisible();
  await page.goto("/settings/advanced");
  await expect(page.getByText("No security keys registered.")).toBeVisible();
});

test.describe("on a server that trusts the virtual authenticator's certificate", () => {
  test.use({ baseURL: `http://localhost:${TRUSTED_ROOTS_PORT}` });

  for (const protocol of ["u2f", "ctap2"] as const) {
    test(`${protocol}: the key registers under "Accept only verified key models", shown as a verified model`, async ({ page }) => {
      const org = await signUpOrg(page, `Verified ${protocol}`);
      await allowSecurityKeys(page);
      await acceptOnlyVerifiedModels(page);
      await addVirtualAuthenticator(page, { protocol });
      await registerKeyInUi(page, org.password, `Verified ${protocol} key`);
      await expect(page.getByRole("list", { name: "Your security keys" })).toContainText("Verified model");
    });
  }

  test("allow-list naming the virtual CTAP2 model: proven keys register, a stripped attestation and a U2F key are refused by reason", async ({ page }) => {
    const org = await signUpOrg(page, "Attested");
    await allowSecurityKeys(page);
    await setModelList(page, "Allowed authenticator models", CTAP2_AAGUID);
    await addVirtualAuthenticator(page, { protocol: "ctap2" });

    // The same key with its attestation removed proves nothing: refused, naming why.
    await strippingAttestation(page);
    await tryToRegister(page);
    await expect(
      page.getByText("Your org only allows specific security key models, and this key didn't prove which model it is (the key sent no attestation)."),
    ).toBeVisible();
    await page.unroute("**/api/webauthn/register/verify");

    // Its real attestation chains to the batch certificate the operator trusts.
    await registerKeyInUi(page, org.password, "Proven key");
    const keys = page.getByRole("list", { name: "Your security keys" });
    await expect(keys).toContainText(`Verified model: ${CTAP2_AAGUID}`);

    // A U2F key names no model, so an allow-list cannot admit it.
    const page2 = await page.context().newPage();
    await addVirtualAuthenticator(page2, { protocol: "u2f" });
    await tryToRegister(page2);
    await expect(page2.getByText("Your org doesn't allow this security key model: an unidentified U2F key.")).toBeVisible();
    await page2.close();

    // The admin's view of the user says the same.
    await page.goto("/setup/users");
    await page.getByRole("link", { name: "Erin Admin" }).first().click();
    await expect(page.getByRole("list", { name: "Security keys" })).toContainText(`Verified model: ${CTAP2_AAGUID}`);
  });
});

for (const [protocol, aaguid, shown] of [
  ["u2f", U2F_AAGUID, "an unidentified U2F key"],
  ["ctap2", CTAP2_AAGUID, CTAP2_AAGUID],
] as const) {
  test(`${protocol}: a key whose model is blocked after registration no longer verifies a login`, async ({ page }) => {
    const org = await signUpOrg(page, `Blocked ${protocol}`);
    await allowSecurityKeys(page);
    await addVirtualAuthenticator(page, { protocol });
    await registerKeyInUi(page, org.password, `Doomed ${protocol} key`);

    // Blocking a model some keys use warns with their count before saving.
    await page.goto("/setup/session-settings");
    await page.getByLabel("Blocked authenticator models", { exact: true }).fill(aaguid);
    await expect(page.getByText("1 registered key would stop working with these settings")).toBeVisible();
    await setModelList(page, "Blocked authenticator models", aaguid);

    await logOut(page);
    await logIn(page, org.adminEmail);
    await page.waitForURL("**/verify");
    await page.getByRole("button", { name: "Use my security key" }).click();
    await expect(page.getByText(`Your org has blocked this security key model: ${shown}.`)).toBeVisible();
    await expect(page.getByText(/You can still verify with|ask your admin for a temporary verification code/)).toBeVisible();
    await expect(page).toHaveURL(/\/verify/);
  });
}

test("the model picker finds models by name and adds their AAGUID", async ({ page }) => {
  await signUpOrg(page, "Picker");
  await allowSecurityKeys(page);
  await page.goto("/setup/session-settings");
  await page.getByLabel("Search models for Allowed authenticator models").fill("YubiKey 5 Series with NFC");
  await page.getByRole("button", { name: "Add YubiKey 5 Series with NFC (2fc0579f-8113-47ea-b116-bb5a8db9202a) to Allowed authenticator models" }).click();
  await expect(page.getByLabel("Allowed authenticator models", { exact: true })).toHaveValue("2fc0579f-8113-47ea-b116-bb5a8db9202a");
  await expect(page.getByRole("list", { name: "Allowed authenticator models: models" })).toContainText("YubiKey 5 Series with NFC");
});
