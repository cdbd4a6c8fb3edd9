import { CliError, EXIT, usageError } from "../errors";
import type { CliIo } from "../io";

// The Admin API over HTTP (README, "Admin API"): a bearer token, JSON in and
// out, RFC 9457 problem documents for errors. The token goes only into the
// Authorization header: no message, log line or error ever contains it.

const REQUEST_TIMEOUT_MS = 30_000;
const USER_AGENT = "gatehouse-cli";

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export interface Connection {
  baseUrl: string;
  token: string;
}

/** --url / --token, else GATEHOUSE_URL / GATEHOUSE_TOKEN. */
export function resolveConnection(options: ConnectionOptions, io: CliIo): Connection {
  const url = (options.url ?? io.env.GATEHOUSE_URL ?? "").trim();
  const token = (options.token ?? io.env.GATEHOUSE_TOKEN ?? "").trim();
  if (!url) throw usageError("No server: set GATEHOUSE_URL (or pass --url), e.g. https://gatehouse.example.com");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`--url / GATEHOUSE_URL: not a URL: ${url}`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw usageError("--url / GATEHOUSE_URL: use an http:// or https:// URL.");
  if (parsed.username || parsed.password) throw usageError("--url / GATEHOUSE_URL: put the token in GATEHOUSE_TOKEN, not in the URL.");
  if (!token) throw usageError("No API token: set GATEHOUSE_TOKEN (or pass --token). Create one in Setup → API Tokens, or with token:create.");
  if (/\s/.test(token)) throw usageError("GATEHOUSE_TOKEN / --token: a token has no spaces or line breaks (was it pasted with something else?).");
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname)) {
    io.err(`gatehouse: warning: sending the API token over plain http to ${parsed.host}; use https outside your own machine.\n`);
  }
  return { baseUrl: `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`, token };
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

export interface FieldError {
  field: string;
  message: string;
}

/** What an RFC 9457 problem document carries that the CLI shows. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
}

/** A non-2xx answer. Its exit code follows the status; commands may catch one to say it in their own words (412). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    message: string,
    details: readonly string[],
    /** Retry-After of a 429 or 503, in seconds. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(exitCodeOfStatus(status), message, details);
    this.name = "ApiError";
  }
}

/** No answer at all (refused, timed out, DNS): worth trying again later. */
export class NetworkError extends CliError {
  constructor(message: string) {
    super(EXIT.failure, message);
    this.name = "NetworkError";
  }
}

export function exitCodeOfStatus(status: number): number {
  if (status === 400 || status === 413 || status === 415) return EXIT.usage;
  if (status === 401 || status === 403) return EXIT.unauthorized;
  if (status === 404) return EXIT.notFound;
  // 422: a well-formed request the service refuses in this state (deactivating yourself); 410: an events cursor past retention.
  if (status === 409 || status === 410 || status === 412 || status === 422 || status === 428) return EXIT.conflict;
  return EXIT.failure;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiClient {
  constructor(
    private readonly connection: Connection,
    private readonly io: CliIo,
  ) {}

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(`${this.connection.baseUrl}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      accept: "application/json, application/problem+json",
      "user-agent": USER_AGENT,
      ...options.headers,
      authorization: `Bearer ${this.connection.token}`,
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.io.fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        // A redirect would be a misconfigured GATEHOUSE_URL; following it could carry the token elsewhere.
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.io.signal]),
      });
    } catch (error) {
      throw new NetworkError(`Cannot reach ${url.origin}: ${networkReason(error)}`);
    }
    const body = await readBody(response);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get("location");
      throw new CliError(
        EXIT.failure,
        `The server redirected ${method} ${url.pathname} to ${location ?? "elsewhere"}: set GATEHOUSE_URL to the server's own address.`,
      );
    }
    if (!response.ok) throw apiError(response, body);
    return { status: response.status, headers: response.headers, body: body as T };
  }

  get<T = unknown>(path: string, query?: Query): Promise<ApiResponse<T>> {
    return this.request<T>("GET", path, { query });
  }

  /** Every item of a cursor-paged list (`{ data, nextCursor }`), following `cursor` until it runs out. */
  async *items<T = Record<string, unknown>>(path: string, query: Query = {}): AsyncGenerator<T> {
    let cursor: string | null = null;
    const seen = new Set<string>();
    do {
      const { body }: ApiResponse<Page<T>> = await this.get<Page<T>>(path, { ...query, cursor });
      for (const item of pageData<T>(body, path)) yield item;
      cursor = typeof body.nextCursor === "string" && body.nextCursor ? body.nextCursor : null;
      if (cursor !== null) {
        if (seen.has(cursor)) throw new CliError(EXIT.failure, `The server returned the same cursor twice for ${path}; stopping.`);
        seen.add(cursor);
      }
    } while (cursor !== null);
  }
}

/** A list answer: its rows in `items` (`data` is read too), and `nextCursor` for the next page, null on the last. */
export interface Page<T> {
  items?: T[];
  data?: T[];
  nextCursor?: string | null;
}

export function pageData<T>(body: unknown, path: string): T[] {
  const page = body as Page<T> | null;
  const rows = page?.items ?? page?.data;
  if (!Array.isArray(rows)) throw new CliError(EXIT.failure, `Unexpected answer from ${path}: no list of items (is GATEHOUSE_URL a Gatehouse server?).`);
  return rows;
}

async function readBody(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get("content-type") ?? "";
  if (!/[/+]json\b/.test(type)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function apiError(response: Response, body: unknown): ApiError {
  const problem = asProblem(body);
  const status = response.status;
  const details = (problem?.errors ?? []).map((error) => `${error.field}: ${error.message}`);
  let message: string;
  if (problem?.title) {
    message = problem.title;
    if (problem.detail && details.length === 0 && problem.detail !== problem.title) message = `${problem.title}: ${problem.detail}`;
  } else {
    message = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
  }
  if (status === 401) message += " (check GATEHOUSE_TOKEN: the token may be wrong, expired or revoked)";
  const retryAfter = Number(response.headers.get("retry-after") ?? NaN);
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : null;
  if (status === 429 && retryAfterSeconds !== null) message += ` (try again in ${retryAfterSeconds} s)`;
  return new ApiError(status, problem, message, details, retryAfterSeconds);
}

function asProblem(body: unknown): Problem | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const candidate = body as Record<string, unknown>;
  const errors = Array.isArray(candidate.errors)
    ? candidate.errors
        .filter((e): e is Record<string, unknown> => Boolean(e) && typeof e === "object")
        .map((e) => ({ field: String(e.field || e.path || "(request body)"), message: String(e.message ?? e.detail ?? "is not valid") }))
    : undefined;
  return {
    type: typeof candidate.type === "string" ? candidate.type : undefined,
    title: typeof candidate.title === "string" ? candidate.title : undefined,
    status: typeof candidate.status === "number" ? candidate.status : undefined,
    detail: typeof candidate.detail === "string" ? candidate.detail : undefined,
    errors,
  };
}

function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return error.name === "TimeoutError" ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : "stopped";
  }
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** A user named by id, or by username or email (looked up in the org's user list). Returns the user's id. */
export async function resolveUserId(client: ApiClient, user: string): Promise<string> {
  const wanted = user.trim();
  if (!wanted) throw usageError("<user>: give a user's id, username or email.");
  if (!wanted.includes("@")) return wanted;
  const needle = wanted.toLowerCase();
  const byUsername: string[] = [];
  const byEmail: string[] = [];
  for await (const candidate of client.items<Record<string, unknown>>("/api/v1/users", { limit: 100 })) {
    const id = String(candidate.id ?? "");
    if (String(candidate.username ?? "").toLowerCase() === needle) byUsername.push(id);
    else if (String(candidate.email ?? "").toLowerCase() === needle) byEmail.push(id);
  }
  const matches = byUsername.length ? byUsername : byEmail;
  if (matches.length === 0) throw new CliError(EXIT.notFound, `No user ${wanted} in this org.`);
  if (matches.length > 1) throw usageError(`${wanted} is the email of ${matches.length} users: give the user's id (users list shows it).`);
  return matches[0]!;
}
