import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/http/client-ip.mjs";
import { requestInfo } from "@/lib/http/request-info";
import { gatehouseListener } from "../../scripts/server.mjs";

// scripts/server.mjs puts this listener in front of Next.js. Here a stub stands
// in for Next.js and reports what it was given, over real HTTP on loopback.

interface Seen {
  forwardedFor: string | string[] | null;
  realIp: string | string[] | null;
  rawForwarded: string[];
  ip: string | null;
}

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(trust: TrustedProxies, host = "127.0.0.1", handler?: http.RequestListener) {
  const stub: http.RequestListener =
    handler ??
    ((req, res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const seen: Seen = {
        forwardedFor: req.headers["x-forwarded-for"] ?? null,
        realIp: req.headers["x-real-ip"] ?? null,
        rawForwarded: req.rawHeaders.filter((value, i) => i % 2 === 0 && /^x-(forwarded-for|real-ip)$/i.test(value)),
        ip: requestInfo(headers).ip,
      };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(seen));
    });
  const server = http.createServer(gatehouseListener(stub, trust));
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** A GET with raw headers (fetch would refuse some of the values a client can send). */
function get(url: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function seen(url: string, headers: Record<string, string | string[]> = {}): Promise<Seen> {
  const response = await get(url, headers);
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Seen;
}

describe("the server's client-IP rewriting", () => {
  it("replaces a spoofed X-Forwarded-For and X-Real-IP with the TCP peer", async () => {
    const url = await serve(parseTrustedProxies(undefined));
    const result = await seen(url, { "X-Forwarded-For": "198.51.100.1, 203.0.113.9", "X-Real-IP": "198.51.100.2" });
    expect(result).toMatchObject({ forwardedFor: "127.0.0.1", realIp: null, ip: "127.0.0.1" });
    expect(await seen(url)).toMatchObject({ forwardedFor: "127.0.0.1", ip: "127.0.0.1" });
  });

  it("drops repeated X-Forwarded-For headers from the raw headers too", async () => {
    const url = await serve(parseTrustedProxies(undefined));
    const result = await seen(url, { "X-Forwarded-For": ["198.51.100.1", "198.51.100.3"], "x-real-ip": "198.51.100.2" });
    expect(result.forwardedFor).toBe("127.0.0.1");
    expect(result.rawForwarded).toEqual(["X-Forwarded-For"]);
  });

  it("believes the proxy's entry only as far as TRUSTED_PROXIES says", async () => {
    // The test client is the "proxy" on 127.0.0.1; the address it appended last is the client.
    const hop = await serve(parseTrustedProxies("1"));
    expect((await seen(hop, { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).ip).toBe("203.0.113.9");
    const listed = await serve(parseTrustedProxies("127.0.0.0/8, ::1"));
    expect((await seen(listed, { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).ip).toBe("203.0.113.9");
    const elsewhere = await serve(parseTrustedProxies("10.0.0.0/8"));
    expect((await seen(elsewhere, { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).ip).toBe("127.0.0.1");
  });

  it("never fails a request over a bad header: the nearest trustworthy address stands", async () => {
    const url = await serve(parseTrustedProxies("1"));
    for (const value of ["not-an-ip", "<script>alert(1)</script>", "9".repeat(4000), ",,,", "203.0.113.9%zz", "[::1"]) {
      const result = await seen(url, { "x-forwarded-for": value });
      expect(result.ip, value).toBe("127.0.0.1");
      expect(result.forwardedFor).toBe("127.0.0.1");
    }
  });

  it("gives an IPv6 peer its canonical address", async (ctx) => {
    let url: string;
    try {
      url = await serve(parseTrustedProxies(undefined), "::1");
    } catch {
      ctx.skip(); // no IPv6 loopback on this machine
      return;
    }
    expect(await seen(url, { "x-forwarded-for": "198.51.100.1" })).toMatchObject({ forwardedFor: "::1", ip: "::1" });
  });

  it("passes Accept-Encoding on for pages and drops it for /api's JSON (tiny answers are not worth gzipping)", async () => {
    const url = await serve(parseTrustedProxies("0"), "127.0.0.1", (req, res) => res.end(req.headers["accept-encoding"] ?? "none"));
    expect((await get(`${url}/setup/users`, { "accept-encoding": "gzip, br" })).body).toBe("gzip, br");
    expect((await get(`${url}/api/verify/key`, { "accept-encoding": "gzip, br" })).body).toBe("none");
  });

  it("answers 500 when the handler throws, without taking the server down", async () => {
    const url = await serve(parseTrustedProxies(undefined), "127.0.0.1", () => {
      throw new Error("handler failed");
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      expect((await get(url)).status).toBe(500);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });
});
