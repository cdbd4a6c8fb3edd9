#!/usr/bin/env node
// The production server (`npm start` runs it after building; so does the e2e
// suite): Next.js through its custom-server API, behind one plain Node HTTP
// server that decides each request's client IP before Next.js sees it.
//
// - Client IP: the TCP peer's address, or as far into X-Forwarded-For as
//   TRUSTED_PROXIES allows (lib/http/client-ip.mjs). The request's
//   X-Forwarded-For is overwritten with exactly that address and X-Real-IP is
//   removed, so whatever the client sent is gone; requestInfo() reads it.
// - Address: the embedded demo (no DATABASE_URL, no SMTP_URL) serves every
//   org's mail at /dev/mailbox, so it listens on loopback (127.0.0.1 and ::1)
//   unless HOST is set. A deployment listens on HOST, or every interface.
//
// Options: --port N (or PORT, default 3000); --dev runs Next.js's development
// server instead of the build (`npm run dev`). Next.js reads its build from
// .next (NEXT_DIST_DIR overrides it, as next.config.js says).
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { inspect } from "node:util";
import { parseTrustedProxies, rewriteForwardedFor } from "../lib/http/client-ip.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const LOOPBACK = ["127.0.0.1", "::1"];
/**
 * The methods Next.js's route handlers and pages can serve. Anything else is answered 405 here: Next.js turns
 * every request into a fetch Request, which throws for TRACE and CONNECT (a 500 and an error in the log that
 * anyone could fill). Methods Node's parser does not know at all (TRACK, made-up ones) never get this far:
 * Node answers them 400 itself.
 */
const SERVED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const ALLOW = SERVED_METHODS.join(", ");

/** Same rule as mailboxEnabled() in lib/email/transport.ts: the embedded default keeps its mail for /dev/mailbox. */
export function embeddedMailbox(env) {
  return !env.SMTP_URL && !env.DATABASE_URL;
}

/**
 * Where to listen: HOST when set; for `npm run dev`, 127.0.0.1 (one server:
 * Next.js attaches hot reloading's WebSocket to the server of the first
 * request, and only to that one); loopback for the embedded demo; otherwise
 * every interface (`undefined`).
 */
export function listenAddresses(env, { dev = false } = {}) {
  const host = env.HOST?.trim();
  if (host) return [host];
  if (dev) return ["127.0.0.1"];
  return embeddedMailbox(env) ? [...LOOPBACK] : [undefined];
}

/** What lib/env.ts calls a production deployment: PostgreSQL in production mode. */
function productionDeployment(env) {
  return env.NODE_ENV === "production" && Boolean(env.DATABASE_URL);
}

/**
 * The names (Host header, port aside) this server answers, against DNS rebinding (DESIGN.md section 9): a
 * page on evil.example whose name is made to resolve to this server reads what it fetches from "its own"
 * origin, /dev/mailbox included, yet its browser sends `Host: evil.example`. Production answers APP_URL's
 * host; anything else also localhost, 127.0.0.1 and [::1].
 */
export function allowedHosts(env) {
  const hosts = new Set();
  const appUrl = env.APP_URL?.trim() || `http://localhost:${env.PORT ?? "3000"}`;
  try {
    hosts.add(new URL(appUrl).hostname.replace(/\.$/, ""));
  } catch {
    // lib/env.ts stops startup over an invalid APP_URL.
  }
  if (!productionDeployment(env)) for (const name of ["localhost", "127.0.0.1", "[::1]"]) hosts.add(name);
  return hosts;
}

/** The name in a Host header ("Example.com.:443" → "example.com", "[::1]:3000" → "[::1]"), or null when it is not one. */
function hostName(header) {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$/i.exec(header ?? "");
  return match ? (match[1] ?? "").toLowerCase().replace(/\.$/, "") : null;
}

/**
 * The pages whose query string can hold what a user typed (a form the browser sent as a GET before our script
 * ran: /login?username=…&password=…), and a set-password link's token. Nothing this server logs keeps them.
 */
const TYPED_QUERY = /(\/(?:login|signup|forgot-password|verify|set-password\/[^\s?#"'`]*))\?[^\s#"'`]*/g;
const SET_PASSWORD_TOKEN = /\/set-password\/[^\s?#"'`/]+/g;

/** A log line without those query strings and tokens (an error's message or `input` may quote the URL). */
export function withoutTypedValues(text) {
  return text.replace(TYPED_QUERY, "$1?[removed]").replace(SET_PASSWORD_TOKEN, "/set-password/[token]");
}

/** Load balancers and orchestrators probe it by address: it answers the same whatever the name. */
const isHealthCheck = (url) => url === "/api/health" || url?.startsWith("/api/health?");

/**
 * The request listener: refuses methods it does not serve and, given `hosts`, names it does not answer
 * (421, before Next.js); rewrites the client-IP headers (never failing the
 * request over them), asks for no compression of /api's small JSON answers,
 * then hands the request to Next.js.
 */
export function gatehouseListener(handler, trust, { hosts = null } = {}) {
  return (req, res) => {
    if (!SERVED_METHODS.includes(req.method ?? "")) {
      res.writeHead(405, { Allow: ALLOW, "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      res.end("Method Not Allowed");
      return;
    }
    if (hosts && !isHealthCheck(req.url) && !hosts.has(hostName(req.headers.host) ?? "")) {
      res.writeHead(421, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      res.end("Misdirected Request: this server does not answer that host name");
      return;
    }
    rewriteForwardedFor(req, trust);
    // The JSON endpoints under /api answer in well under a kilobyte, and Next.js would gzip every one (its
    // responses are streamed, so a size threshold never applies): 7% of a key step's CPU, for nothing.
    // Pages and CSV exports are still compressed.
    if (req.url?.startsWith("/api/")) delete req.headers["accept-encoding"];
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error) => {
        // The path is not logged: it may carry a secret (a set-password link's token); nor what the error quotes of it.
        console.error(withoutTypedValues(`[gatehouse] failed to handle a ${req.method} request: ${inspect(error)}`));
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end("Internal Server Error");
        } else {
          res.destroy();
        }
      });
  };
}

/**
 * An HTTP server for the listener. CONNECT never reaches a request listener (Node emits "connect", and
 * without a handler drops the connection unanswered): it is refused like any other method not served.
 */
export function createGatehouseServer(listener) {
  const server = http.createServer(listener);
  server.on("connect", (_req, socket) => {
    socket.on("error", () => {}); // the client may be gone already; nothing to log
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\nAllow: ${ALLOW}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 18\r\nConnection: close\r\n\r\nMethod Not Allowed`,
    );
  });
  return server;
}

function fail(message) {
  console.error(`[gatehouse] startup failed: ${message}`);
  process.exit(1);
}

function listen(server, port, address) {
  return new Promise((resolve, reject) => {
    const onError = (error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, address);
  });
}

const formatAddress = (address) => (address.includes(":") ? `[${address}]` : address);

async function main() {
  const portFlag = process.argv.indexOf("--port");
  const portText = portFlag > -1 ? process.argv[portFlag + 1] : (process.env.PORT ?? "3000");
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid port "${portText}"`);
  process.env.PORT = String(port);
  // --dev (`npm run dev`): Next.js's development server behind the same client-IP rule, so a
  // client's X-Forwarded-For is no more believed there than in production. Otherwise, as
  // `next start` does, the production build in production mode.
  const dev = process.argv.includes("--dev");
  process.env.NODE_ENV ||= dev ? "development" : "production";

  let trust;
  try {
    trust = parseTrustedProxies(process.env.TRUSTED_PROXIES);
  } catch (error) {
    fail(`Invalid Gatehouse configuration:\n  TRUSTED_PROXIES: ${error.message}`);
  }
  const addresses = listenAddresses(process.env, { dev });
  // In development, Next.js lets hot reloading's WebSocket come from pages on localhost and on this hostname.
  const hostname = process.env.HOST?.trim() || (dev ? "127.0.0.1" : "localhost");

  const { default: next } = await import("next");
  const app = next({ dev, dir: root, hostname, port });
  // Loads the build and runs instrumentation.ts's register(): configuration
  // checks, migrations, demo seed, mail worker. A failure there exits.
  await app.prepare();
  const hosts = allowedHosts(process.env);
  const listener = gatehouseListener(app.getRequestHandler(), trust, { hosts });

  const servers = [];
  for (const address of addresses) {
    const server = createGatehouseServer(listener);
    try {
      await listen(server, port, address);
      servers.push(server);
    } catch (error) {
      // A machine without IPv6 has no ::1; the demo still answers on 127.0.0.1.
      const optional = address === "::1" && servers.length > 0 && ["EADDRNOTAVAIL", "EAFNOSUPPORT"].includes(error.code);
      if (!optional) fail(`cannot listen on ${address ? `${formatAddress(address)}:${port}` : `port ${port}`}: ${error.message}`);
    }
  }

  const bound = servers.map((server) => {
    const info = server.address();
    return typeof info === "object" && info ? `${formatAddress(info.address)}:${info.port}` : String(info);
  });
  const where = addresses[0] === undefined ? `every interface (${bound.join(", ")})` : bound.join(" and ");
  const why =
    process.env.HOST?.trim() || !(dev || embeddedMailbox(process.env))
      ? ""
      : dev
        ? " — loopback only, as a development server should be; set HOST to change it"
        : " — loopback only, because the embedded demo shows every org's mail at /dev/mailbox; set HOST=0.0.0.0 to expose it";
  console.log(`[gatehouse] listening on ${where}${why}`);
  console.log(`[gatehouse] client IP: TCP peer; X-Forwarded-For trusted: ${trust.description}`);
  console.log(`[gatehouse] host names answered: ${[...hosts].join(", ")} (any port; /api/health answers any)`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 5000).unref();
    for (const server of servers) {
      server.close();
      server.closeIdleConnections();
    }
    app
      .close()
      // Then the database (lib/db/client.ts keeps it on globalThis): the embedded one is left consistent, not recovered at the next start.
      .then(() => globalThis[Symbol.for("gatehouse.database")]?.close())
      .catch((error) => console.error(error))
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
}
