import { expect, test } from "@playwright/test";
import { signUpOrg, verifyIfAsked } from "../support/pages";

// Issue 26 item 2: an admin creates an API token in Setup → API Tokens after
// "verify it's you", sees its secret once, and revokes it after confirming.

test("an API token is created after verify-it's-you, shown once, and revoked after a confirmation", async ({ page }) => {
  await signUpOrg(page, "API tokens");
  await page.goto("/setup/api-tokens");
  await expect(page.getByRole("heading", { name: "API Tokens", level: 1 })).toBeVisible();
  await expect(page.getByText("No API tokens yet.")).toBeVisible();

  // Granting Admin and issuing temporary codes must be asked for by name; the rest are the defaults.
  await expect(page.getByRole("checkbox", { name: /^users:grant-admin/ })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^codes:issue/ })).not.toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^settings:write/ })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^account:self/ })).toHaveCount(0);

  await page.getByLabel("Name", { exact: true }).fill("Terraform in CI");
  await page.getByLabel("Expires in").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByLabel("New API token");
  await verifyIfAsked(page, secret);
  await expect(secret).toHaveText(/^gatehouse_pat_[0-9A-Za-z]{38}$/);
  await expect(page.getByText(/you won't see it again/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  const shown = (await secret.textContent())!;

  const row = page.getByRole("row", { name: /Terraform in CI/ });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never");
  await expect(row).toContainText(shown.slice(0, "gatehouse_pat_".length + 4));

  // Once: after Done, and after a reload, the secret is nowhere on the page.
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText(shown)).toHaveCount(0);
  await page.reload();
  await expect(page.getByText(shown)).toHaveCount(0);

  // Revoking asks first; declining changes nothing.
  const revoke = row.getByRole("button", { name: "Revoke Terraform in CI" });
  let question = "";
  page.once("dialog", (dialog) => {
    question = dialog.message();
    void dialog.dismiss();
  });
  await revoke.click();
  await expect.poll(() => question).toBe("Revoke the token “Terraform in CI”? Anything using it stops working at once. This can't be undone.");
  await expect(row).toContainText("Active");

  page.once("dialog", (dialog) => void dialog.accept());
  await revoke.click();
  await expect(row).toContainText("Revoked");
  await expect(revoke).toHaveCount(0);

  // Both are in the Setup Audit Trail.
  await page.goto("/setup/audit-trail");
  await expect(page.getByRole("cell", { name: "Created API token", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Revoked API token", exact: true })).toBeVisible();
});
