import { defineConfig } from "@playwright/test";
import { e2eMailSettings } from "./tests/support/e2e-mail";
import { TEST_SMTP_PASSWORD, TEST_SMTP_USER } from "./tests/support/test-smtp";
import { CHROMIUM_FLAGS } from "./tests/support/chromium";

// Run through `npm test` (scripts/test.mjs), which builds the app, finds
// Chromium and prepares a fresh database before Playwright starts the server.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://localhost:${port}`;
/** The second e2e server: it trusts the virtual authenticator's attestation certificate, so its keys show a verified model. */
export const TRUSTED_ROOTS_PORT = port + 2;
const mail = e2eMailSettings();

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  // Starts the test SMTP server the app delivers to (see tests/support/e2e-mail.ts).
  globalSetup: "./tests/e2e/global-setup.ts",
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: CHROMIUM_FLAGS,
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    // The production server, as a new user's `npm start` runs it (scripts/server.mjs decides the client IP):
    // no extra attestation roots, no FIDO metadata file, so the virtual keys register as any maker's key
    // does on a default start, their model claimed.
    e2eServer(port, {}),
    // A second instance that trusts Chromium's virtual authenticator's self-signed "Batch Certificate" (same key
    // in every run), as an operator trusts in-house keys (tests/e2e/attestation.spec.ts): there the same keys
    // prove their model. It shares the PostgreSQL database; on PGlite (single-process) it has its own.
    e2eServer(TRUSTED_ROOTS_PORT, { ATTESTATION_ROOTS_FILE: "tests/fixtures/webauthn/chromium/virtual-authenticator-batch-certificate.pem" }, "trusted-roots"),
  ],
});

function e2eServer(serverPort: number, extraEnv: Record<string, string>, name?: string) {
  const url = `http://localhost:${serverPort}`;
  const pgliteDir = process.env.E2E_PGLITE_DIR ?? ".data/e2e";
  return {
    command: `node scripts/server.mjs --port ${serverPort}`,
    url: `${url}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      APP_URL: url,
      NEXTAUTH_URL: url,
      AUTH_SECRET: "e2e-test-secret-0123456789abcdef0123456789abcdef",
      NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-e2e",
      NEXT_TELEMETRY_DISABLED: "1",
      // Every spec signs up its orgs from this one loopback address.
      SIGNUP_LIMIT_PER_IP: "1000",
      SMTP_URL: `smtp://${TEST_SMTP_USER}:${TEST_SMTP_PASSWORD}@127.0.0.1:${mail.port}`,
      ...(process.env.E2E_DATABASE_URL ? { DATABASE_URL: process.env.E2E_DATABASE_URL } : { PGLITE_DATA_DIR: name ? `${pgliteDir}-${name}` : pgliteDir }),
      ...extraEnv,
    },
  };
}
