import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { refusedAddressReason, refusedUrlReason } from "./address-policy";

// One HTTP POST of a webhook delivery, made so that an endpoint cannot turn
// Gatehouse against its own network (DESIGN.md section 13):
// - the host name is resolved once, by our own `lookup`, which checks every
//   address it got (in production) and hands the socket the very address it
//   checked: no second resolution a DNS rebinding could answer differently;
//   an address written in the URL is checked before any socket is opened;
// - a fresh connection per request (no pooled socket to an address checked
//   for another request);
// - redirects are never followed (a 3xx is a failure), the response body is
//   read up to a cap and then dropped, and each attempt has a deadline.

/** Resolves a host name to its addresses; tests inject one (and so send nothing to any real resolver or address). */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: ResolveHost = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export interface PostOptions {
  /** Production rules: public addresses only, https only. */
  production: boolean;
  resolve?: ResolveHost;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface PostResult {
  ok: boolean;
  status: number | null;
  /** Why it failed, in words for the endpoint's health view. */
  error: string | null;
  /** False when it was refused before any connection was attempted. */
  attempted: boolean;
}

export const ATTEMPT_TIMEOUT_MS = 10_000;
export const MAX_RESPONSE_BYTES = 64 * 1024;

type LookupCallback = (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void;

export async function postSigned(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const refused = (error: string): PostResult => ({ ok: false, status: null, error, attempted: false });
  const urlProblem = refusedUrlReason(url, options.production);
  if (urlProblem) return refused(urlProblem);
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[(.*)\]$/, "$1");
  if (net.isIP(literal)) {
    // Node connects to an IP literal without calling `lookup`: checked here instead.
    const reason = options.production ? refusedAddressReason(literal) : null;
    if (reason) return refused(reason);
  }
  const resolve = options.resolve ?? systemResolve;
  let refusal: string | null = null;
  const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new Error(`${hostname} did not resolve to any address.`);
        if (options.production) {
          for (const { address } of addresses) {
            const reason = refusedAddressReason(address);
            if (reason) {
              refusal = `${hostname} resolves to ${reason}`;
              throw new Error(refusal);
            }
          }
        }
        const chosen = addresses[0]!;
        if (lookupOptions.all) callback(null, [{ address: chosen.address, family: chosen.family }]);
        else callback(null, chosen.address, chosen.family);
      })
      .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ""));
  };

  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const cap = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const client = target.protocol === "https:" ? https : http;
  return new Promise<PostResult>((settle) => {
    let done = false;
    const finish = (result: PostResult) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      request.destroy();
      settle(result);
    };
    const request = client.request(
      target,
      {
        method: "POST",
        agent: false,
        lookup: lookup as unknown as net.LookupFunction,
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "Gatehouse-Webhooks/1" },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // A 2xx is all a delivery needs: the body is not read at all (a receiver streaming one forever changes nothing).
        if (status >= 200 && status < 300) return finish({ ok: true, status, error: null, attempted: true });
        let read = 0;
        const kept: Buffer[] = [];
        const conclude = () => {
          const ok = status >= 200 && status < 300;
          const text = Buffer.concat(kept).toString("utf8").replace(/\s+/g, " ").trim().slice(0, 200);
          const error = ok
            ? null
            : status >= 300 && status < 400
              ? `Answered ${status} (a redirect; redirects are not followed).`
              : `Answered ${status}${text ? `: ${text}` : "."}`;
          finish({ ok, status, error, attempted: true });
        };
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (kept.length < 4) kept.push(chunk.subarray(0, 256));
          // Past the cap the rest is not read: the status and a few words of the error are all the health view shows.
          if (read > cap) conclude();
        });
        response.on("end", conclude);
        response.on("error", conclude);
        response.on("aborted", conclude);
      },
    );
    const deadline = setTimeout(
      () => finish({ ok: false, status: null, error: `No answer within ${Math.round(timeoutMs / 1000)} s.`, attempted: true }),
      timeoutMs,
    );
    request.on("error", (error) => {
      if (refusal) finish({ ok: false, status: null, error: refusal, attempted: false });
      else finish({ ok: false, status: null, error: describeError(error), attempted: true });
    });
    request.end(body);
  });
}

function describeError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ECONNREFUSED") return "Connection refused.";
  if (code === "ENOTFOUND") return "The host name does not resolve.";
  if (code === "ECONNRESET") return "The connection was reset.";
  return (error.message || code || "The request failed.").slice(0, 300);
}
