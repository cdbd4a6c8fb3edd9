import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signUpOrg } from "../support/pages";

// The real server (scripts/server.mjs, as `npm start` runs it) decides the
// client IP from the TCP peer: a client cannot choose it with X-Forwarded-For.
//
// These requests come from loopback addresses of their own (Linux routes all
// of 127.0.0.0/8 to lo) so that filling the per-IP login limit here does not
// lock out the other specs, whose browser connects from 127.0.0.1 or ::1.

const port = Number(process.env.E2E_PORT ?? 3100);
const FLOOD_FROM = "127.0.0.2";
const HISTORY_FROM = "127.0.0.3";
const PER_IP_LIMIT = 50; // LOGIN_LIMITS.perIp in lib/auth/login/login.ts

/** POST /api/login over a socket bound to `from`, with whatever headers a client likes. */
function postLogin(from: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        localAddress: from,
        method: "POST",
        path: "/api/login",
        agent: false,
        // The server answers only APP_URL's host (a production deployment, as on the PostgreSQL pass) and loopback names.
        headers: { host: `localhost:${port}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers["retry-after"] }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Whether this machine lets a socket use that loopback address (Linux does; macOS only has 127.0.0.1). */
async function canBind(address: string): Promise<boolean> {
  const server = http.createServer();
  try {
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, address, resolve));
    return true;
  } catch {
    return false;
  } finally {
    server.close();
  }
}

test("rotating X-Forwarded-For does not escape the per-IP login limit", async () => {
  test.skip(!(await canBind(FLOOD_FROM)), `${FLOOD_FROM} is not a local address here`);
  test.setTimeout(180_000);
  const run = crypto.randomBytes(4).toString("hex");
  const statuses: number[] = [];
  let retryAfter: string | undefined;
  for (let i = 0; i < PER_IP_LIMIT + 10; i++) {
    const spoofed = `198.51.${i % 256}.${(i * 7) % 256}`;
    const response = await postLogin(
      FLOOD_FROM,
      { username: `nobody-${run}-${i}@e2e.test`, password: "not-the-password" },
      { "x-forwarded-for": `${spoofed}, 203.0.113.${i % 256}`, "x-real-ip": spoofed, origin: `http://localhost:${port}` },
    );
    statuses.push(response.status);
    if (response.status === 429) retryAfter ??= response.retryAfter;
  }
  // Every attempt counts against the one TCP peer: the 51st and later are refused.
  expect(statuses.slice(0, PER_IP_LIMIT)).toEqual(Array(PER_IP_LIMIT).fill(401));
  expect(statuses.slice(PER_IP_LIMIT)).toEqual(Array(10).fill(429));
  expect(Number(retryAfter)).toBeGreaterThan(0);
});

test("Login History records the TCP peer, never a spoofed X-Forwarded-For or X-Real-IP", async ({ page }) => {
  test.skip(!(await canBind(HISTORY_FROM)), `${HISTORY_FROM} is not a local address here`);
  const org = await signUpOrg(page, "Client IP");
  const overlong = `203.0.113.${"9".repeat(80)}`;
  const response = await postLogin(
    HISTORY_FROM,
    { username: org.adminEmail, password: "not-the-password-1" },
    { "x-forwarded-for": `198.51.100.77, ${overlong}`, "x-real-ip": "198.51.100.78" },
  );
  expect(response.status).toBe(401);

  await page.goto("/setup/login-history");
  const logins = page.getByRole("table");
  await expect(logins).toContainText(HISTORY_FROM);
  await expect(logins).toContainText("Invalid password");
  await expect(logins).not.toContainText("198.51.100.77");
  await expect(logins).not.toContainText("198.51.100.78");
  await expect(logins).not.toContainText(overlong);
});

test("the build never prerenders /dev/mailbox, whose existence depends on runtime settings", () => {
  const manifest = path.join(process.env.NEXT_DIST_DIR ?? ".next-e2e", "prerender-manifest.json");
  const { routes } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { routes: Record<string, unknown> };
  expect(Object.keys(routes)).not.toContain("/dev/mailbox");
});
