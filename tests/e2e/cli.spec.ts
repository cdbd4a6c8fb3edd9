import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signUpOrg, verifyIfAsked } from "../support/pages";

// Issue 26 item 3: the gatehouse CLI (bin/gatehouse.mjs, as `npx gatehouse`
// runs it) against the running production build. Settings as code: a token
// from Setup → API Tokens, `settings get > file`, an edit, `settings apply`,
// and the page shows the change; bad files exit non-zero naming the field and
// change nothing. The operator commands need the database the server uses,
// which only PostgreSQL shares with a second process (E2E_DATABASE_URL).

const LAUNCHER = path.resolve("bin/gatehouse.mjs");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gatehouse(args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { cwd, env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function createToken(page: Page, name: string): Promise<string> {
  await page.goto("/setup/api-tokens");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Expires in").selectOption("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = page.getByLabel("New API token");
  await verifyIfAsked(page, secret);
  await expect(secret).toHaveText(/^gatehouse_pat_/);
  return (await secret.textContent())!.trim();
}

async function timeoutOnPage(page: Page): Promise<string> {
  await page.goto("/setup/session-settings");
  return page.getByLabel("Timeout value").inputValue();
}

test("settings as code: settings get > file, edit, settings apply --yes, and Session Settings shows it", async ({ page, baseURL }) => {
  await signUpOrg(page, "CLI");
  const token = await createToken(page, "settings as code");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-e2e-cli-"));
  const env = { GATEHOUSE_URL: baseURL!, GATEHOUSE_TOKEN: token };
  try {
    const read = await gatehouse(["settings", "get"], env, dir);
    expect(read.code, read.stderr).toBe(0);
    fs.writeFileSync(path.join(dir, "acme.json"), read.stdout);
    const document = JSON.parse(read.stdout) as Record<string, unknown>;
    expect(document.sessionTimeoutMinutes).toBe(120);
    expect(await timeoutOnPage(page)).toBe("120");

    // Bad input: each exits 2 naming the file or the field, and nothing changes.
    fs.writeFileSync(path.join(dir, "broken.json"), read.stdout.replace(/}\s*$/, ""));
    const broken = await gatehouse(["settings", "apply", "broken.json", "--yes"], env, dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("broken.json: not valid JSON");
    fs.writeFileSync(path.join(dir, "unknown.json"), JSON.stringify({ ...document, sessionTimeout: 60 }));
    const unknown = await gatehouse(["settings", "apply", "unknown.json", "--yes"], env, dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("sessionTimeout");
    fs.writeFileSync(path.join(dir, "range.json"), JSON.stringify({ ...document, sessionTimeoutMinutes: 7 }));
    const range = await gatehouse(["settings", "apply", "range.json", "--yes"], env, dir);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain("sessionTimeoutMinutes");
    expect(await timeoutOnPage(page)).toBe("120");

    // Without a terminal the apply needs --yes; with it the change is saved.
    fs.writeFileSync(path.join(dir, "acme.json"), JSON.stringify({ ...document, sessionTimeoutMinutes: 240 }, null, 2));
    const unconfirmed = await gatehouse(["settings", "apply", "acme.json"], env, dir);
    expect(unconfirmed.code).toBe(2);
    const applied = await gatehouse(["settings", "apply", "acme.json", "--yes"], env, dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("(sessionTimeoutMinutes): 120 → 240");
    expect(applied.stdout + applied.stderr).not.toContain(token);
    expect(await timeoutOnPage(page)).toBe("240");

    // A wrong token is refused with exit 5.
    // Its last character changed (to another: a token ending in "x" once made this the token itself).
    const wrong = `${token.slice(0, -1)}${token.endsWith("x") ? "y" : "x"}`;
    const refused = await gatehouse(["settings", "get"], { ...env, GATEHOUSE_TOKEN: wrong }, dir);
    expect(refused.code).toBe(5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("operator commands: org:create and token:create bootstrap an org that settings get can read", async ({ baseURL }) => {
  test.skip(!process.env.E2E_DATABASE_URL, "the embedded database is the server's alone: operator commands need PostgreSQL (E2E_DATABASE_URL)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-e2e-cli-"));
  const operator = { DATABASE_URL: process.env.E2E_DATABASE_URL!, APP_URL: baseURL! };
  const slug = `cli-${Date.now().toString(36)}`;
  try {
    const org = await gatehouse(
      ["org:create", "--name", "CLI Bootstrap", "--slug", slug, "--admin-email", `ada@${slug}.test`, "--admin-name", "Ada"],
      operator,
      dir,
    );
    expect(org.code, org.stderr).toBe(0);
    expect(org.stdout).toContain(`${baseURL}/set-password/`);
    const token = await gatehouse(
      ["token:create", "--org", slug, "--name", "bootstrap", "--scopes", "setup:read,settings:write", "--expires", "1"],
      operator,
      dir,
    );
    expect(token.code, token.stderr).toBe(0);
    const read = await gatehouse(["settings", "get"], { GATEHOUSE_URL: baseURL!, GATEHOUSE_TOKEN: token.stdout.trim() }, dir);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ sessionTimeoutMinutes: 120 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
