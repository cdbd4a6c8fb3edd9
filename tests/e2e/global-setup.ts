import fs from "node:fs";
import { e2eMailSettings } from "../support/e2e-mail";
import { TestSmtpServer } from "../support/test-smtp";

// The app under test sends its mail here (SMTP_URL in playwright.config.ts).
// The server lives in Playwright's runner process for the whole run and spools
// every message to a directory that the tests, in worker processes, read.
export default async function globalSetup() {
  const { port, spoolDir } = e2eMailSettings();
  fs.rmSync(spoolDir, { recursive: true, force: true });
  fs.mkdirSync(spoolDir, { recursive: true });
  const smtp = await new TestSmtpServer({ spoolDir }).start(port);
  return async () => {
    await smtp.stop();
  };
}
