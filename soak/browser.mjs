// A simulated browser for the soak: a cookie jar, one loopback source address
// of its own (so the proxy, and so Gatehouse, sees a distinct client IP per
// browser), JSON calls to the route handlers, and server actions called the
// way React calls them (Next-Action header + the action id from the build's
// server-reference manifest).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

/** exportedName → action id, read once from the production build. */
export function loadActionIds(distDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8"));
  const ids = {};
  for (const [id, entry] of Object.entries(manifest.node ?? {})) {
    if (entry.exportedName) ids[entry.exportedName] = id;
  }
  return ids;
}

export class HttpError extends Error {
  constructor(status, method, url, body) {
    super(`${method} ${url} → ${status}: ${body.slice(0, 200)}`);
    this.status = status;
  }
}

export class Browser {
  /** name → value */
  cookies = new Map();

  /**
   * @param {{ baseUrl: string, sourceAddress: string, actionIds: Record<string,string>, record: (entry: object) => void, label: string }} options
   * `record` is told about every response (for the soak's counts of requests and statuses).
   */
  constructor({ baseUrl, sourceAddress, actionIds, record, label }) {
    this.base = new URL(baseUrl);
    this.sourceAddress = sourceAddress;
    this.actionIds = actionIds;
    this.record = record;
    this.label = label;
  }

  /** The Cookie header this browser sends. */
  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  #absorb(setCookie = []) {
    for (const line of setCookie) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One HTTP request through the proxy (or straight to `port` when given). Resolves with { status, headers, text }. */
  request(method, pathname, { body, headers = {}, type, port, recordAs } = {}) {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const options = {
      host: this.base.hostname === "localhost" ? "127.0.0.1" : this.base.hostname,
      port: port ?? this.base.port,
      localAddress: this.sourceAddress,
      method,
      path: pathname,
      headers: {
        host: this.base.host,
        origin: this.base.origin,
        cookie: this.cookieHeader(),
        "user-agent": `gatehouse-soak/${this.label}`,
        ...(type ? { "content-type": type } : {}),
        ...(payload ? { "content-length": payload.length } : {}),
        ...headers,
      },
    };
    return new Promise((resolve, reject) => {
      const req = http.request(options, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          this.#absorb(res.headers["set-cookie"]);
          const text = Buffer.concat(chunks).toString("utf8");
          const result = { status: res.statusCode, headers: res.headers, text };
          this.record({ method, path: pathname.split("?")[0], status: recordAs ? recordAs(result) : res.statusCode });
          resolve(result);
        });
        res.on("error", (error) => {
          this.record({ method, path: pathname.split("?")[0], status: 0, error: error.code ?? error.message });
          reject(error);
        });
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${pathname} timed out`)));
      req.on("error", (error) => {
        this.record({ method, path: pathname.split("?")[0], status: 0, error: error.code ?? error.message });
        reject(error);
      });
      req.end(payload);
    });
  }

  /** POSTs JSON to a route handler; resolves with its `{ ok, data | error }` body (and the status). */
  async postJson(pathname, input = {}, options = {}) {
    const response = await this.request("POST", pathname, { ...options, body: JSON.stringify(input), type: "application/json" });
    if (response.status >= 500) throw new HttpError(response.status, "POST", pathname, response.text);
    try {
      return { status: response.status, ...JSON.parse(response.text) };
    } catch {
      throw new HttpError(response.status, "POST", pathname, response.text);
    }
  }

  /**
   * Calls a server action by name from the page that renders it, as React does,
   * and resolves with the action's result (`{ ok, data | error }`).
   */
  async action(name, pagePath, input) {
    const id = this.actionIds[name];
    if (!id) throw new Error(`no server action named ${name} in the build`);
    const response = await this.request("POST", pagePath, {
      body: JSON.stringify([input]),
      type: "text/plain;charset=UTF-8",
      headers: { accept: "text/x-component", "next-action": id },
      // An action that failed on the server still answers 200, with "Something went wrong (reference …)": count it as the 500 it is.
      recordAs: (result) => (/"Something went wrong \(reference /.test(result.text) ? 500 : result.status),
    });
    if (response.status >= 500) throw new HttpError(response.status, "POST", pagePath, response.text);
    // The RSC payload: one line per chunk, `1:<json>` is the action's return value.
    const line = response.text.split("\n").find((l) => l.startsWith("1:"));
    if (!line) throw new HttpError(response.status, "POST", pagePath, response.text);
    return { status: response.status, ...JSON.parse(line.slice(2)) };
  }

  /** next-auth's credentials sign-in, which turns a verified pending login into a session (what finishLogin() does). */
  async finishLogin() {
    const csrf = await this.request("GET", "/api/auth/csrf");
    const { csrfToken } = JSON.parse(csrf.text);
    const form = new URLSearchParams({ csrfToken, json: "true", callbackUrl: `${this.base.origin}/home` });
    const response = await this.request("POST", "/api/auth/callback/credentials", { body: form.toString(), type: "application/x-www-form-urlencoded" });
    const text = response.text;
    const failed = response.status >= 400 || /error=/.test(text) || !this.hasSession();
    if (response.status >= 500) throw new HttpError(response.status, "POST", "/api/auth/callback/credentials", text);
    return !failed;
  }

  hasSession() {
    return [...this.cookies.keys()].some((name) => name.endsWith("gatehouse.session"));
  }

  /** GET a page; resolves with its status and where it redirected (without following). */
  async page(pathname, options = {}) {
    const response = await this.request("GET", pathname, options);
    if (response.status >= 500) throw new HttpError(response.status, "GET", pathname, response.text);
    return { status: response.status, location: response.headers.location ?? null, text: response.text };
  }
}
