import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseTrustedProxies } from "@/lib/http/client-ip.mjs";
import { createGatehouseServer, gatehouseListener } from "../../scripts/server.mjs";

// scripts/server.mjs fronts Next.js. A stub stands in for Next.js and does what
// Next.js does first with every request: build a fetch Request from it, which
// throws for TRACE, TRACK and CONNECT ("'TRACE' HTTP method is unsupported."),
// so such a request reaching Next.js is a 500 and an error in the log.

const servers: http.Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const nextStandIn: http.RequestListener = (req, res) => {
  new Request(`http://localhost${req.url ?? "/"}`, { method: req.method });
  res.end("ok");
};

async function serve(): Promise<number> {
  const server = createGatehouseServer(gatehouseListener(nextStandIn, parseTrustedProxies(undefined)));
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Writes one raw request (any method, even one http.request would not send) and reads the status line. */
function rawStatus(port: number, method: string, path: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(null));
    const target = method === "CONNECT" ? "localhost:443" : path;
    socket.write(`${method} ${target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
}

const PATHS = ["/setup/users", "/api/login", "/setup/login-history/export"];

describe("HTTP methods the server does not serve", () => {
  it("answers every method below 500 on a page, an API route and an export, and logs no error", async () => {
    const port = await serve();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    for (const path of PATHS) {
      for (const method of [...http.METHODS, "BREW", "FOO-BAR"]) {
        const status = await rawStatus(port, method, path);
        expect(status, `${method} ${path}`).not.toBeNull();
        expect(status, `${method} ${path}`).toBeLessThan(500);
      }
    }
    expect(errors).not.toHaveBeenCalled();
  });

  it("refuses TRACE, CONNECT and the other methods it does not serve with 405 before Next.js, naming what it serves", async () => {
    const port = await serve();
    for (const method of ["TRACE", "CONNECT", "PROPFIND"]) {
      expect(await rawStatus(port, method, "/login"), method).toBe(405);
    }
    const response = await fetch(`http://127.0.0.1:${port}/login`, { method: "PROPFIND" });
    expect(response.headers.get("allow")).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  });

  it("still passes the methods Next.js serves to it", async () => {
    const port = await serve();
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      expect(await rawStatus(port, method, "/login"), method).toBe(200);
    }
  });
});
