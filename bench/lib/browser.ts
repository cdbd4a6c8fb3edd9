// A browser as far as the server can tell: a cookie jar, same-origin headers,
// keep-alive connections (Node's fetch). One per simulated user.

export interface Answer {
  status: number;
  body: unknown;
  text: string;
}

export class Browser {
  private readonly cookies = new Map<string, string>();
  /** Sent with every request: X-Forwarded-For, for a server that trusts one proxy hop (TRUSTED_PROXIES=1). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly origin: string,
    private readonly userAgent = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36 gatehouse-bench",
  ) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  clearCookies(): void {
    this.cookies.clear();
  }

  async json(path: string, body?: unknown): Promise<Answer> {
    return this.send("POST", path, JSON.stringify(body ?? {}), "application/json");
  }

  async form(path: string, fields: Record<string, string>): Promise<Answer> {
    return this.send("POST", path, new URLSearchParams(fields).toString(), "application/x-www-form-urlencoded");
  }

  async get(path: string): Promise<Answer> {
    return this.send("GET", path);
  }

  private async send(method: string, path: string, body?: string, contentType?: string): Promise<Answer> {
    const headers: Record<string, string> = {
      ...this.headers,
      "user-agent": this.userAgent,
      "sec-fetch-site": "same-origin",
      accept: "application/json, text/html",
    };
    if (contentType) headers["content-type"] = contentType;
    if (method !== "GET") headers.origin = this.origin;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const response = await fetch(new URL(path, this.origin), { method, headers, body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
    return { status: response.status, body: parsed, text };
  }
}

export function expectOk(answer: Answer, what: string): Record<string, unknown> {
  const body = answer.body as { ok?: boolean; data?: Record<string, unknown>; error?: string } | string;
  if (answer.status !== 200 || typeof body !== "object" || body.ok === false) {
    throw new Error(`${what}: HTTP ${answer.status} ${typeof body === "object" ? (body.error ?? "") : body.slice(0, 120)}`);
  }
  return body.data ?? (body as Record<string, unknown>);
}
