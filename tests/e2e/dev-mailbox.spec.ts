import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { E2E_PASSWORD } from "../support/pages";

// The dev mailbox shows an HTML email as a mail client would (issue 30 item 3): the HTML part is a document of
// its own (/dev/mailbox/html) with a policy of its own (inline styles, no script, nothing loaded, framed by our
// pages only), in a sandboxed frame of /dev/mailbox. The suite's servers deliver over SMTP, where the mailbox
// does not exist, so these tests start the embedded default as `npm start` runs it: no SMTP_URL, no
// DATABASE_URL, a fresh PGlite directory.

const port = Number(process.env.E2E_PORT ?? 3100) + 4;
const origin = `http://localhost:${port}`;
/** What an email could carry that must never run: a script, an inline handler, a remote load. */
const INJECTED = `<script>document.body.dataset.ran = "script"</script><img alt="" src="data:," onerror="document.body.dataset.ran = 'handler'"><img alt="" src="http://127.0.0.1:9/tracker.png">`;

/** Records what becomes of a page's requests for INJECTED's remote image: refused by the policy ("csp"), failed otherwise, or loaded. */
function watchRemoteLoads(page: Page, outcomes: string[]) {
  const remote = (url: string) => url.startsWith("http://127.0.0.1:9/");
  page.on("requestfailed", (request) => remote(request.url()) && outcomes.push(request.failure()?.errorText ?? "failed"));
  page.on("requestfinished", (request) => remote(request.url()) && outcomes.push("loaded"));
}

/** Serves every HTML part with INJECTED added to its body, keeping the server's own headers (its policy). */
async function injectIntoHtmlParts(page: Page) {
  await page.route(`${origin}/dev/mailbox/html?*`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace("</body>", `${INJECTED}</body>`) });
  });
}

test.describe("the embedded default's dev mailbox", () => {
  let server: ChildProcess | undefined;
  let dataDir = "";
  let output = "";

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-e2e-mailbox-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      APP_URL: origin,
      NEXTAUTH_URL: origin,
      AUTH_SECRET: "e2e-test-secret-0123456789abcdef0123456789abcdef",
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-e2e",
      NEXT_TELEMETRY_DISABLED: "1",
      PGLITE_DATA_DIR: dataDir,
      GATEHOUSE_SEED_DEMO: "false",
    };
    delete env.SMTP_URL;
    delete env.DATABASE_URL;
    server = spawn(process.execPath, ["scripts/server.mjs", "--port", String(port)], { env, stdio: ["ignore", "pipe", "pipe"] });
    server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await expect
      .poll(
        async () => {
          if (server?.exitCode !== null) throw new Error(`the embedded server exited:\n${output}`);
          return fetch(`${origin}/api/health`).then(
            (response) => response.status,
            () => 0,
          );
        },
        { timeout: 150_000, intervals: [500] },
      )
      .toBe(200);
  });

  test.afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test("a new admin reads the sign-up code in the mailbox, the HTML part styled as sent, the text part one click away", async ({ page, context }, testInfo) => {
    const id = Date.now().toString(36);
    await page.goto(`${origin}/signup`);
    await page.getByLabel("Org name").fill(`Mailbox ${id}`);
    await page.getByLabel("URL name").fill(`mailbox-${id}`);
    await page.getByLabel("Your name").fill("Erin Admin");
    await page.getByLabel("Email").fill(`admin@mailbox-${id}.test`);
    await page.getByLabel("Password").fill(E2E_PASSWORD);
    await page.getByRole("button", { name: "Create org" }).click();
    await expect(page.getByRole("heading", { name: "Check your email" })).toBeVisible();

    const mailbox = await context.newPage();
    await mailbox.goto(`${origin}/dev/mailbox`);
    await mailbox
      .getByRole("list", { name: "Messages" })
      .getByRole("link", { name: /Confirm your email for Gatehouse/ })
      .click();
    const frame = mailbox.frameLocator('iframe[title="HTML part of “Confirm your email for Gatehouse”"]');
    const heading = frame.getByRole("heading", { name: /^\d{6}$/ });
    const code = (await heading.textContent())?.trim() ?? "";
    // The email's own inline styles apply (under the pages' policy they were refused: a 32 px default heading, no background).
    await expect(heading).toHaveCSS("font-size", "20px");
    await expect(frame.locator("body")).toHaveCSS("background-color", "rgb(241, 245, 249)");
    await testInfo.attach("dev-mailbox-html-part", { body: await mailbox.screenshot(), contentType: "image/png" });

    await mailbox.getByRole("navigation", { name: "Message part" }).getByRole("link", { name: "Text" }).click();
    await expect(mailbox.locator("pre")).toContainText(code);
    await expect(mailbox.locator("iframe")).toHaveCount(0);

    await page.getByLabel("Verification code").fill(code);
    await page.getByRole("button", { name: "Verify and create org" }).click();
    await page.waitForURL("**/home");
  });

  test("the HTML part has a policy of its own; every other page keeps frame-ancestors 'none'", async ({ request }) => {
    const part = await request.get(`${origin}/dev/mailbox/html?preview=set-password`);
    expect(part.status()).toBe(200);
    const policy = part.headers()["content-security-policy"] ?? "";
    for (const directive of ["default-src 'none'", "script-src 'none'", "style-src 'unsafe-inline'", "frame-ancestors 'self'"]) {
      expect(policy).toContain(directive);
    }
    expect(policy).not.toContain("frame-ancestors 'none'");
    expect(part.headers()["x-frame-options"]).toBe("SAMEORIGIN");
    expect(part.headers()["cache-control"]).toBe("no-store");

    for (const other of ["/dev/mailbox?preview=set-password", "/login", "/signup"]) {
      const response = await request.get(`${origin}${other}`);
      expect(response.headers()["content-security-policy"], other).toContain("frame-ancestors 'none'");
      expect(response.headers()["content-security-policy"], other).toMatch(/script-src 'self' 'nonce-/);
      expect(response.headers()["x-frame-options"], other).toBe("DENY");
    }
  });

  test("a script in an email does not run, neither in the mailbox's frame nor with the part opened on its own", async ({ page }) => {
    // What became of the email's remote load: refused by the policy ("csp"), or anything else.
    const remote: string[] = [];
    // The check can see a script run: the same markup, served without the policy, runs.
    await page.route(`${origin}/control`, (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html><body>${INJECTED}</body>` }));
    await page.goto(`${origin}/control`);
    await expect(page.locator("body")).toHaveAttribute("data-ran", /script|handler/);
    watchRemoteLoads(page, remote);

    await injectIntoHtmlParts(page);
    await page.goto(`${origin}/dev/mailbox?preview=set-password`);
    const frame = page.frameLocator('iframe[title="HTML part of “Set your password”"]');
    await expect(frame.locator("script")).toHaveCount(1);
    await expect(frame.getByRole("heading", { name: "Set your password" })).toHaveCSS("font-size", "20px");

    const opened = await page.context().newPage();
    await injectIntoHtmlParts(opened);
    watchRemoteLoads(opened, remote);
    const violations: string[] = [];
    opened.on("console", (message) => violations.push(message.text()));
    await opened.goto(`${origin}/dev/mailbox/html?preview=set-password`);
    await expect(opened.locator("script")).toHaveCount(1);
    await expect.poll(() => violations.join("\n")).toMatch(/Content Security Policy|sandboxed/);

    await page.waitForTimeout(500);
    expect(await frame.locator("body").getAttribute("data-ran")).toBeNull();
    expect(await opened.locator("body").getAttribute("data-ran")).toBeNull();
    expect(remote).toEqual(["csp", "csp"]);
  });

  test("a link in the HTML part opens in the mailbox's tab, not inside the frame", async ({ page }) => {
    await page.goto(`${origin}/dev/mailbox?preview=set-password`);
    const frame = page.frameLocator('iframe[title="HTML part of “Set your password”"]');
    const leaving = page.waitForRequest((request) => request.url() === "http://localhost:3000/set-password/preview-token");
    await frame.getByRole("link", { name: "Set your password" }).click();
    expect((await leaving).frame()).toBe(page.mainFrame());
  });
});

test("the HTML part does not exist where the mailbox does not (SMTP_URL set)", async ({ request }) => {
  for (const path of ["/dev/mailbox", "/dev/mailbox/html?preview=set-password", "/dev/mailbox/html"]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
});
