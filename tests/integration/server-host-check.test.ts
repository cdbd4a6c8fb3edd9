import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseTrustedProxies } from "@/lib/http/client-ip.mjs";
import { allowedHosts, gatehouseListener } from "../../scripts/server.mjs";

// DNS rebinding: a page on evil.example whose name is made to resolve to
// 127.0.0.1 can read what the browser fetches from "its own" origin, such as
// the embedded demo's /dev/mailbox, with every set-password link in it. The
// browser still sends `Host: evil.example`: scripts/server.mjs answers only
// the names Gatehouse is reached by, before Next.js sees the request.

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(env: Record<string, string | undefined>) {
  let reached = 0;
  const stub: http.RequestListener = (_req, res) => {
    reached++;
    res.end("mail for everyone");
  };
  const server = http.createServer(gatehouseListener(stub, parseTrustedProxies(undefined), { hosts: allowedHosts(env) }));
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const status = (path: string, host: string | null) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path, setHost: false, headers: host === null ? {} : { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
  return { status, reached: () => reached };
}

const EMBEDDED = { APP_URL: "http://localhost:3000", NODE_ENV: "production" };
const PRODUCTION = {
  APP_URL: "https://gatehouse.example.com",
  NODE_ENV: "production",
  DATABASE_URL: "postgresql://db/gatehouse",
  SMTP_URL: "smtp://mail:587",
};

describe("the Host header (DNS rebinding)", () => {
  it("the embedded demo refuses a rebound name before Next.js sees the request", async () => {
    const server = await serve(EMBEDDED);
    for (const host of ["evil.example", "evil.example:3000", "localhost.evil.example:3000", "127.0.0.1.nip.io:3000", "[::2]:3000", "localhost:3000/x", "a b"]) {
      expect(await server.status("/dev/mailbox", host), host).toBe(421);
    }
    // No Host at all (or an empty one): Node.js itself answers 400.
    expect([400, 421]).toContain(await server.status("/dev/mailbox", null));
    expect([400, 421]).toContain(await server.status("/dev/mailbox", ""));
    expect(server.reached()).toBe(0);
  });

  it("the embedded demo answers localhost, 127.0.0.1, [::1] and APP_URL's host, on any port", async () => {
    const server = await serve({ ...EMBEDDED, APP_URL: "http://demo.lan:3000" });
    for (const host of ["localhost:3000", "LOCALHOST", "127.0.0.1:3000", "[::1]:3000", "demo.lan:3000", "demo.lan."]) {
      expect(await server.status("/dev/mailbox", host), host).toBe(200);
    }
  });

  it("production answers only APP_URL's host for pages and actions", async () => {
    const server = await serve(PRODUCTION);
    for (const host of ["localhost:3000", "127.0.0.1", "[::1]", "evil.example"]) {
      expect(await server.status("/login", host), host).toBe(421);
    }
    expect(await server.status("/login", "gatehouse.example.com")).toBe(200);
    expect(await server.status("/login", "Gatehouse.Example.com:443")).toBe(200);
  });

  it("a load balancer's health check by address still reaches /api/health", async () => {
    const server = await serve(PRODUCTION);
    expect(await server.status("/api/health", "10.0.0.7:3000")).toBe(200);
    expect(await server.status("/api/health?x=1", "10.0.0.7")).toBe(200);
    expect(await server.status("/api/healthz", "10.0.0.7:3000")).toBe(421);
  });
});
