// The client's IP address, decided once per request by the server in front of
// Next.js (scripts/server.mjs) and read back by requestInfo(). Plain JavaScript
// so that server, which runs before and outside the Next.js build, can use it.
//
// The address of the TCP peer is the client, whatever the request's headers
// say. X-Forwarded-For is believed only as far as the operator configures
// TRUSTED_PROXIES: a hop count ("1": one proxy in front, which appends the
// address it saw), or a list of proxy addresses and CIDR ranges (the header is
// walked from the right while the hop that wrote an entry is one of them).
import net from "node:net";

/** Longer than any address with a port and brackets: refused before parsing. */
const MAX_INPUT = 100;
/** More hops than any real chain of proxies: a larger count is a mistake. */
const MAX_HOPS = 32;
/** Broader ranges than these are not proxies but the Internet (0.0.0.0/0, ::/0): refused. */
const MIN_IPV4_PREFIX = 8;
const MIN_IPV6_PREFIX = 16;

/**
 * The canonical text of an IP address, or null when the value is not one.
 * Accepts `[v6]`, `[v6]:port` and `v4:port` (as some proxies write them),
 * drops an IPv6 zone (`%eth0`), lowercases and compresses IPv6, and turns an
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) into plain IPv4. The result is
 * at most 39 characters.
 * @param {unknown} value
 * @returns {string | null}
 */
export function normaliseIp(value) {
  if (typeof value !== "string") return null;
  let text = value.trim();
  if (text.length === 0 || text.length > MAX_INPUT) return null;
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) {
    text = bracketed[1] ?? "";
  } else {
    const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
    if (withPort) text = withPort[1] ?? "";
  }
  const zone = text.indexOf("%");
  if (zone !== -1 && text.includes(":")) text = text.slice(0, zone);
  const family = net.isIP(text);
  if (family === 4) return text;
  if (family !== 6) return null;
  let canonical;
  try {
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const high = parseInt(mapped[1] ?? "0", 16);
    const low = parseInt(mapped[2] ?? "0", 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return net.isIP(canonical) === 6 ? canonical : null;
}

export const TRUSTED_PROXIES_HELP =
  "TRUSTED_PROXIES must be the number of proxies in front of Gatehouse (e.g. 1) or a comma-separated list of their addresses or CIDR ranges (e.g. 10.0.0.0/8, 2001:db8::/32)";

/**
 * Parses TRUSTED_PROXIES. Unset or empty trusts no proxy: the TCP peer is the
 * client. Throws with the reason when the value is neither form.
 * @param {string | undefined} spec
 * @returns {import("./client-ip.d.mts").TrustedProxies}
 */
export function parseTrustedProxies(spec) {
  const text = (spec ?? "").trim();
  if (text === "") return { kind: "hops", hops: 0, description: "none (the TCP peer is the client)" };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_HOPS) throw new Error(`${TRUSTED_PROXIES_HELP}; ${hops} proxies is more than ${MAX_HOPS}`);
    return { kind: "hops", hops, description: hops === 0 ? "none (the TCP peer is the client)" : `${hops} hop${hops === 1 ? "" : "s"}` };
  }
  // IPv4 peers are matched against IPv4 entries only, IPv6 peers against IPv6 ones: a BlockList would let
  // an IPv6 range that covers ::ffff:0:0/96 (::/16 does) match every IPv4 address.
  const v4 = new net.BlockList();
  const v6 = new net.BlockList();
  const entries = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (item === "") continue;
    const parts = item.split("/");
    const written = parts[0] ?? "";
    const prefix = parts[1];
    if (net.isIP(written) === 0 || parts.length > 2 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new Error(`${TRUSTED_PROXIES_HELP}; "${item.slice(0, 60)}" is neither`);
    }
    const writtenBits = prefix === undefined ? undefined : Number(prefix);
    if (writtenBits !== undefined && writtenBits > (net.isIP(written) === 6 ? 128 : 32)) {
      throw new Error(`${TRUSTED_PROXIES_HELP}; "${item}" has a prefix longer than the address`);
    }
    // An IPv4-mapped IPv6 entry (::ffff:10.0.0.0/104) is the IPv4 range it maps (10.0.0.0/8), as peers are.
    let address = written;
    let bits = writtenBits;
    const asIpv4 = net.isIP(written) === 6 ? normaliseIp(written) : null;
    if (asIpv4 !== null && net.isIP(asIpv4) === 4 && (bits === undefined || bits >= 96)) {
      address = asIpv4;
      if (bits !== undefined) bits -= 96;
    }
    const family = net.isIP(address);
    const minimum = family === 6 ? MIN_IPV6_PREFIX : MIN_IPV4_PREFIX;
    if (bits !== undefined && bits < minimum) {
      throw new Error(
        `TRUSTED_PROXIES lists "${item}", broader than /${minimum} (${family === 6 ? "IPv6" : "IPv4"}), which would believe any client's X-Forwarded-For: list the proxies' own addresses or ranges`,
      );
    }
    const list = family === 6 ? v6 : v4;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
    entries.push(item);
  }
  if (entries.length === 0) throw new Error(`${TRUSTED_PROXIES_HELP}; "${text.slice(0, 60)}" lists none`);
  return { kind: "list", v4, v6, description: entries.join(", ") };
}

/**
 * The client's address: the TCP peer, or, while the hop at hand is a trusted
 * proxy, the address that proxy wrote into X-Forwarded-For (rightmost first).
 * An entry that is not an IP address ends the walk: the nearest address
 * already established is the answer. Null only when the peer's own address
 * is unknown.
 * @param {string | undefined | null} remoteAddress the socket's peer address
 * @param {string | string[] | undefined | null} forwardedFor the X-Forwarded-For header as received
 * @param {import("./client-ip.d.mts").TrustedProxies} trust from parseTrustedProxies
 * @returns {string | null}
 */
export function clientIp(remoteAddress, forwardedFor, trust) {
  let client = normaliseIp(remoteAddress);
  if (client === null) return null;
  if (trust.kind === "hops" && trust.hops === 0) return client;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  let taken = 0;
  for (let i = entries.length - 1; i >= 0; i--) {
    const trusted = trust.kind === "hops" ? taken < trust.hops : net.isIP(client) === 6 ? trust.v6.check(client, "ipv6") : trust.v4.check(client, "ipv4");
    if (!trusted) break;
    const next = normaliseIp(entries[i]);
    if (next === null) break;
    client = next;
    taken++;
  }
  return client;
}

/**
 * Replaces what the client said about its address with what the server
 * decided: X-Forwarded-For becomes exactly the client IP (or is removed when
 * the peer is unknown) and X-Real-IP is removed. Never throws.
 * @param {import("node:http").IncomingMessage} req
 * @param {import("./client-ip.d.mts").TrustedProxies} trust
 * @returns {string | null} the client IP
 */
export function rewriteForwardedFor(req, trust) {
  let ip;
  try {
    ip = clientIp(req.socket?.remoteAddress, req.headers["x-forwarded-for"], trust);
  } catch {
    // Cannot happen with a parsed TRUSTED_PROXIES; the peer alone is still an answer.
    ip = normaliseIp(req.socket?.remoteAddress);
  }
  delete req.headers["x-forwarded-for"];
  delete req.headers["x-real-ip"];
  if (ip !== null) req.headers["x-forwarded-for"] = ip;
  if (Array.isArray(req.rawHeaders)) {
    const raw = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = String(req.rawHeaders[i]).toLowerCase();
      if (name === "x-forwarded-for" || name === "x-real-ip") continue;
      raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
    }
    if (ip !== null) raw.push("X-Forwarded-For", ip);
    req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
  }
  return ip;
}
