import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseTrustedProxies } from "@/lib/http/client-ip.mjs";
import { createGatehouseServer, gatehouseListener } from "../../scripts/server.mjs";

// Issue 24 item 16: a form the browser sent as a GET before our script ran puts
// what was typed in the query string (/login?username=…&password=…). Such a GET
// is answered, and nothing scripts/server.mjs logs keeps that query string, or
// a set-password link's token, even when the error it logs quotes the URL.

const SECRET = "typed-secret-0123456789";
const TOKEN = "Set_Password_Token_0123456789abcdef";
const PATHS = [
  `/login?username=ada%40acme.test&password=${SECRET}`,
  `/signup?orgName=Acme&email=ada%40acme.test&password=${SECRET}`,
  `/forgot-password?username=ada%40acme.test`,
  `/verify?code=${SECRET}`,
  `/set-password/${TOKEN}?password=${SECRET}&confirmPassword=${SECRET}`,
];

const servers: http.Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = createGatehouseServer(gatehouseListener(handler, parseTrustedProxies(undefined)));
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, headers: { host: "localhost" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      })
      .on("error", reject);
  });
}

/** Everything written to the console while `run` runs, as text. */
async function consoleOutput(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  await run();
  return lines.join("\n");
}

describe("a GET whose query string carries what a user typed", () => {
  it("is answered, and nothing logged keeps the query string or the link's token", async () => {
    const answered = await serve((_req, res) => res.end("the page"));
    // As when something under Next.js fails and its error quotes the URL (Node's URL errors carry it as `input`).
    const failing = await serve((req) => {
      throw Object.assign(new TypeError(`Invalid URL: http://localhost${req.url}`), { input: `http://localhost${req.url}` });
    });
    const output = await consoleOutput(async () => {
      for (const path of PATHS) {
        expect(await get(answered, path), path).toBe(200);
        expect(await get(failing, path), path).toBe(500);
      }
    });
    expect(output).toContain("[gatehouse] failed to handle a GET request");
    expect(output).toContain("/login?[removed]");
    for (const typed of [SECRET, "ada%40acme.test", "ada@acme.test", TOKEN]) expect(output).not.toContain(typed);
  });
});
