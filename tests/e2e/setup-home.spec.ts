import { expect, test } from "@playwright/test";
import { addUser, allowSecurityKeys, registerKeyInUi, signUpOrg } from "../support/pages";
import { addVirtualAuthenticator } from "../support/virtual-authenticator";

// Issue 30 item 8: Setup home's checklist calls security keys done only once
// someone could and did register one, and says who has a key and who has no
// method at all.

test("the security-key step is done only once a key is registered, and counts who has none", async ({ page }) => {
  const org = await signUpOrg(page, "Checklist");
  const checklist = page.getByRole("list", { name: "Setup checklist" });
  const keyStep = checklist.getByRole("listitem").filter({ hasText: "Turn on security keys" });

  await page.goto("/setup");
  await expect(keyStep).toContainText("Turn on security keys (to do)");

  await allowSecurityKeys(page);
  await page.goto("/setup");
  await expect(keyStep).toContainText("(to do)");
  await expect(keyStep).toContainText("Security keys are allowed, but nobody has registered one yet.");
  await expect(keyStep.getByRole("link", { name: "Register a security key" })).toHaveAttribute("href", "/settings/advanced");

  await addVirtualAuthenticator(page, { protocol: "ctap2" });
  await registerKeyInUi(page, org.password, "Desk key");
  await addUser(page, { name: "Dana Lee", username: `dana@${org.slug}.test` });
  await page.goto("/setup");
  await expect(keyStep).toContainText("(done)");
  await expect(keyStep).toContainText("1 of 2 active users has a security key; 1 has no verification method.");
  await expect(keyStep).toContainText("The org's only registered key has a model claimed by the key, not verified");
  await expect(keyStep.getByRole("link", { name: "Users without a method" })).toHaveAttribute("href", "/setup/users?method=none");
});
