import { expect, test } from "@playwright/test";
import { formAlert, logIn, logInAndWaitForHome, logOut, saveSessionSettings, signUpOrg, verifyIfAsked } from "../support/pages";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

test("an admin reads Login History and Identity Verification History of their org", async ({ page }) => {
  const org = await signUpOrg(page, "Historians");
  await logOut(page);
  await logIn(page, org.adminEmail, "not-the-password-1");
  await expect(formAlert(page)).toHaveText("Check your username and password");
  await logInAndWaitForHome(page, org.adminEmail);

  await page.goto("/setup/session-settings");
  await page.getByLabel("Let users verify their identity with a physical security key (U2F)").check();
  await saveSessionSettings(page, org.password);
  await expect(page.getByText("Session settings saved.")).toBeVisible();
  await addVirtualAuthenticator(page, { protocol: "u2f" });
  await page.goto("/settings/advanced");
  await page.getByRole("button", { name: "Register", exact: true }).click();
  // Saving the settings above was verified, so registering inside the window asks nothing more.
  await verifyIfAsked(page, page.getByRole("heading", { name: "Name your key" }), org.password);
  await expect(page.getByRole("heading", { name: "Name your key" })).toBeVisible();

  await page.goto("/setup/login-history");
  const logins = page.getByRole("table");
  await expect(logins).toContainText("Invalid password");
  await expect(logins).toContainText("Success");
  await expect(logins).toContainText(org.adminEmail);

  await page.goto("/setup/verification-history");
  const verifications = page.getByRole("table");
  await expect(verifications).toContainText("Register security key");
  await expect(verifications).toContainText("Re-authentication");
  await expect(verifications).toContainText("Succeeded");
});
