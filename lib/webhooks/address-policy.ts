import net from "node:net";

// Where a webhook may be delivered (DESIGN.md section 13): in production only
// to public addresses over https, so an endpoint cannot make Gatehouse reach
// into its own network (the cloud metadata service, a database, an admin
// port). Checked on the address a request will connect to, after DNS, at
// every send (./transport.ts): a host name that resolved to a public address
// yesterday may resolve to 127.0.0.1 today.

const REFUSED = new net.BlockList();
// IPv4: "this network" and unspecified, private, CGNAT, loopback, link-local (the metadata service), IETF protocol
// assignments, documentation, benchmarking, multicast, reserved and broadcast.
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  REFUSED.addSubnet(network, prefix, "ipv4");
}
// IPv6: unspecified, loopback, unique local, link-local, site-local, multicast, documentation, NAT64 and 6to4 (which embed IPv4).
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["fec0::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["2002::", 16],
  ["100::", 64],
] as const) {
  REFUSED.addSubnet(network, prefix, "ipv6");
}

/** The IPv4 address an IPv4-mapped or IPv4-compatible IPv6 address stands for (::ffff:127.0.0.1), else null. */
function embeddedIpv4(address: string): string | null {
  const mapped = /^(?:::ffff:|::ffff:0:|::)((?:\d{1,3}\.){3}\d{1,3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  // The hex form of the same (::ffff:7f00:1).
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Why a delivery may not connect to this IP address in production, or null when it may. */
export function refusedAddressReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 0) return `“${address}” is not an IP address.`;
  if (family === 6) {
    const v4 = embeddedIpv4(address.toLowerCase());
    if (v4) return refusedAddressReason(v4);
  }
  if (REFUSED.check(address, family === 4 ? "ipv4" : "ipv6")) {
    return `${address} is a private, loopback, link-local or reserved address; webhooks go only to public addresses.`;
  }
  return null;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Why this URL cannot be an endpoint, or null when it can (its address is
 * checked again at every send). Production: https only. Elsewhere: https, or
 * http to localhost (a receiver on the developer's machine).
 */
export function refusedUrlReason(url: string, production: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "Enter a full URL, starting with https://.";
  }
  if (parsed.username || parsed.password) return "The URL must not contain a user name or password.";
  if (parsed.protocol === "https:") {
    // An address written in the URL is refused here already; a host name is checked when it is resolved, at every send.
    const literal = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    return production && net.isIP(literal) ? refusedAddressReason(literal) : null;
  }
  if (parsed.protocol === "http:" && !production && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return production ? "The URL must start with https://." : "The URL must start with https:// (http:// only for localhost).";
}
