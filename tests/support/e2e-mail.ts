import os from "node:os";
import path from "node:path";

/**
 * Where the e2e suite's test SMTP server listens and spools, derived from the
 * e2e port so suites on different ports never share a server. Read by
 * playwright.config.ts (the app's SMTP_URL), the global setup (which starts
 * the server) and the tests (which read the spool).
 */
export function e2eMailSettings() {
  const appPort = Number(process.env.E2E_PORT ?? 3100);
  const port = Number(process.env.E2E_SMTP_PORT ?? appPort + 25);
  const spoolDir = process.env.E2E_MAIL_SPOOL ?? path.join(os.tmpdir(), `gatehouse-e2e-mail-${appPort}`);
  return { port, spoolDir };
}
