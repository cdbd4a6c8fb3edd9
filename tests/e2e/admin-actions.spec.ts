import { expect, test } from "@playwright/test";
import { addUser, setPasswordFromEmail, signUpOrg, verifyIfAsked } from "../support/pages";

// Issue 30 items 4 and 5: an admin's Reset password and role change ask first,
// name the user, and say what happened; a second reset within a minute says one
// was just sent instead of sending again.

test("Reset password asks first, says what it did, and does not send twice within a minute", async ({ page, browser, baseURL }) => {
  const org = await signUpOrg(page, "Admin actions");
  const dana = `dana@${org.slug}.test`;
  await addUser(page, { name: "Dana Lee", username: dana });
  // Dana sets her password in her own browser: only then is there one to reset.
  const hers = await browser.newContext({ baseURL });
  await setPasswordFromEmail(await hers.newPage(), dana);
  await hers.close();
  await page.reload();
  const reset = page.getByRole("button", { name: "Reset password" });

  // Declining sends nothing.
  let question = "";
  page.once("dialog", (dialog) => {
    question = dialog.message();
    void dialog.dismiss();
  });
  await reset.click();
  await expect.poll(() => question).toBe("Send Dana Lee a reset link and end their sessions?");
  await expect(page.getByRole("status")).toHaveCount(0);

  page.once("dialog", (dialog) => void dialog.accept());
  await reset.click();
  const done = page.getByText("Password reset. We emailed Dana Lee a link to choose a new one and ended their sessions.");
  await verifyIfAsked(page, done);
  await expect(done).toBeVisible();

  page.once("dialog", (dialog) => void dialog.accept());
  await reset.click();
  await expect(page.getByText("A reset link was just sent to Dana Lee. Ask them to check their email before sending another.")).toBeVisible();
});

test("a role change asks first, and shows the saved role", async ({ page }) => {
  const org = await signUpOrg(page, "Role change");
  await addUser(page, { name: "Dana Lee", username: `dana@${org.slug}.test` });
  const role = page.getByLabel("Role", { exact: true });

  let question = "";
  page.once("dialog", (dialog) => {
    question = dialog.message();
    void dialog.dismiss();
  });
  await role.selectOption("ADMIN");
  await expect.poll(() => question).toBe("Make Dana Lee an admin of this org?");
  await expect(role).toHaveValue("STANDARD");

  page.once("dialog", (dialog) => void dialog.accept());
  await role.selectOption("ADMIN");
  const saved = page.getByText("Role saved: Admin.");
  await verifyIfAsked(page, saved);
  await expect(saved).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Role", { exact: true })).toHaveValue("ADMIN");
});
