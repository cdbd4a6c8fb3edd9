import { describe, expect, it } from "vitest";
import { clientIp, normaliseIp, parseTrustedProxies } from "@/lib/http/client-ip.mjs";
import { requestInfo } from "@/lib/http/request-info";
import { mailboxEnabled } from "@/lib/email/transport";
import { embeddedMailbox, listenAddresses } from "../../scripts/server.mjs";

const none = parseTrustedProxies(undefined);
const oneHop = parseTrustedProxies("1");
const twoHops = parseTrustedProxies("2");
const proxies = parseTrustedProxies("10.0.0.0/8, 192.0.2.10, 2001:db8:aa::/48");

describe("normaliseIp", () => {
  it("keeps valid IPv4 and canonicalises IPv6", () => {
    expect(normaliseIp("203.0.113.9")).toBe("203.0.113.9");
    expect(normaliseIp("  203.0.113.9 ")).toBe("203.0.113.9");
    expect(normaliseIp("2001:DB8:0:0::7")).toBe("2001:db8::7");
    expect(normaliseIp("::1")).toBe("::1");
  });

  it("maps IPv4-mapped IPv6 to IPv4, in dotted and hex form", () => {
    expect(normaliseIp("::ffff:192.0.2.44")).toBe("192.0.2.44");
    expect(normaliseIp("::FFFF:c000:022c")).toBe("192.0.2.44");
    expect(normaliseIp("0:0:0:0:0:ffff:192.0.2.44")).toBe("192.0.2.44");
  });

  it("strips ports, brackets and IPv6 zones", () => {
    expect(normaliseIp("203.0.113.9:51234")).toBe("203.0.113.9");
    expect(normaliseIp("[2001:db8::7]:443")).toBe("2001:db8::7");
    expect(normaliseIp("[2001:db8::7]")).toBe("2001:db8::7");
    expect(normaliseIp("fe80::1%eth0")).toBe("fe80::1");
    // A bare IPv6 address keeps its last group: it is not a port.
    expect(normaliseIp("2001:db8::7:443")).toBe("2001:db8::7:443");
  });

  it("refuses anything that is not an IP address, however long", () => {
    for (const bad of [
      "",
      " ",
      "unknown",
      "localhost",
      "203.0.113",
      "203.0.113.256",
      "01.2.3.4",
      "1.2.3.4.5",
      "203.0.113.9:port",
      "[203.0.113.9]x",
      "<script>",
      "1".repeat(65),
      `2001:db8::1%${"a".repeat(200)}`,
      "203.0.113.9, 198.51.100.1",
      undefined,
      null,
      42,
    ]) {
      expect(normaliseIp(bad), String(bad)).toBeNull();
    }
  });

  it("never returns more than 39 characters (the longest IPv6 text)", () => {
    expect(normaliseIp("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toHaveLength(39);
    expect(normaliseIp("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")).toHaveLength(39);
  });
});

describe("parseTrustedProxies", () => {
  it("reads a hop count or a list of addresses and CIDR ranges", () => {
    expect(none).toMatchObject({ kind: "hops", hops: 0 });
    expect(parseTrustedProxies("")).toMatchObject({ kind: "hops", hops: 0 });
    expect(parseTrustedProxies(" 0 ")).toMatchObject({ kind: "hops", hops: 0 });
    expect(oneHop).toMatchObject({ kind: "hops", hops: 1 });
    expect(proxies).toMatchObject({ kind: "list", description: "10.0.0.0/8, 192.0.2.10, 2001:db8:aa::/48" });
  });

  it("refuses anything else with the variable's expected form", () => {
    for (const bad of ["-1", "1.5", "one", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/8", "10.0.0.0/x", "10.0.0.0/8, proxy.internal", ",", "999"]) {
      expect(() => parseTrustedProxies(bad), bad).toThrow(/TRUSTED_PROXIES must be/);
    }
  });
});

describe("TRUSTED_PROXIES ranges that would trust everyone", () => {
  it("refuses IPv4 prefixes shorter than /8 and IPv6 prefixes shorter than /16, naming the variable", () => {
    for (const broad of ["0.0.0.0/0", "128.0.0.0/1", "10.0.0.0/7", "::/0", "2000::/3", "2001::/15", "10.0.0.0/8, ::/0"]) {
      expect(() => parseTrustedProxies(broad), broad).toThrow(/TRUSTED_PROXIES.*broader than/);
    }
    expect(parseTrustedProxies("10.0.0.0/8, 2001::/16")).toMatchObject({ kind: "list" });
  });

  it("reads an IPv4-mapped IPv6 entry as the IPv4 range it is, with the same minimum", () => {
    for (const broad of ["::ffff:0:0/96", "::ffff:0.0.0.0/96", "::ffff:0:0/100", "::FFFF:10.0.0.0/103"]) {
      expect(() => parseTrustedProxies(broad), broad).toThrow(/TRUSTED_PROXIES.*broader than \/8/);
    }
    const mapped = parseTrustedProxies("::ffff:10.0.0.0/104, ::ffff:192.0.2.10");
    expect(clientIp("10.1.2.3", "203.0.113.9", mapped)).toBe("203.0.113.9");
    expect(clientIp("192.0.2.10", "203.0.113.9", mapped)).toBe("203.0.113.9");
    expect(clientIp("11.1.2.3", "203.0.113.9", mapped)).toBe("11.1.2.3");
  });

  it("matches an IPv4 peer against IPv4 entries only: an IPv6 range covering ::ffff:0:0/96 trusts no IPv4 peer", () => {
    // ::/16 is allowed (a /16), yet contains every IPv4-mapped address.
    const v6 = parseTrustedProxies("::/16");
    expect(clientIp("203.0.113.77", "198.51.100.1", v6)).toBe("203.0.113.77");
    expect(clientIp("::ffff:203.0.113.77", "198.51.100.1", v6)).toBe("203.0.113.77");
    expect(clientIp("::1", "198.51.100.1", v6)).toBe("198.51.100.1");
    // And an IPv6 peer is matched against IPv6 entries only.
    const v4 = parseTrustedProxies("10.0.0.0/8");
    expect(clientIp("2001:db8::1", "198.51.100.1", v4)).toBe("2001:db8::1");
  });
});

describe("clientIp", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientIp("203.0.113.9", "198.51.100.1", none)).toBe("203.0.113.9");
    expect(clientIp("::ffff:203.0.113.9", "198.51.100.1, 10.0.0.1", none)).toBe("203.0.113.9");
    expect(clientIp("203.0.113.9", undefined, none)).toBe("203.0.113.9");
    expect(clientIp("2001:db8::7", "198.51.100.1", none)).toBe("2001:db8::7");
  });

  it("with a hop count, takes the entry each trusted proxy appended, no further", () => {
    // The client claimed 198.51.100.1; the one proxy appended the address it saw, 203.0.113.9.
    expect(clientIp("10.0.0.5", "198.51.100.1, 203.0.113.9", oneHop)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.5", "203.0.113.9", oneHop)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.6", twoHops)).toBe("203.0.113.9");
    // Fewer entries than hops: the leftmost one there is.
    expect(clientIp("10.0.0.5", "203.0.113.9", twoHops)).toBe("203.0.113.9");
    // No header: the peer itself.
    expect(clientIp("10.0.0.5", undefined, oneHop)).toBe("10.0.0.5");
    expect(clientIp("10.0.0.5", "", oneHop)).toBe("10.0.0.5");
  });

  it("with a list, walks from the right while the hop is a trusted proxy", () => {
    expect(clientIp("10.1.2.3", "198.51.100.1, 203.0.113.9", proxies)).toBe("203.0.113.9");
    expect(clientIp("10.1.2.3", "198.51.100.1, 203.0.113.9, 192.0.2.10", proxies)).toBe("203.0.113.9");
    expect(clientIp("::ffff:10.1.2.3", "203.0.113.9", proxies)).toBe("203.0.113.9");
    expect(clientIp("2001:db8:aa::1", "2001:db8:bb::9", proxies)).toBe("2001:db8:bb::9");
    // A peer that is not a trusted proxy is the client, whatever it forwards.
    expect(clientIp("203.0.113.77", "198.51.100.1", proxies)).toBe("203.0.113.77");
    expect(clientIp("2001:db8:ab::1", "198.51.100.1", proxies)).toBe("2001:db8:ab::1");
    // Every hop trusted: the leftmost address.
    expect(clientIp("10.1.2.3", "10.9.9.9, 10.8.8.8", proxies)).toBe("10.9.9.9");
  });

  it("stops at an invalid entry: the nearest trustworthy address is the answer", () => {
    expect(clientIp("10.0.0.5", "198.51.100.1, not-an-ip", oneHop)).toBe("10.0.0.5");
    expect(clientIp("10.1.2.3", "198.51.100.1, 203.0.113.9, garbage", proxies)).toBe("10.1.2.3");
    expect(clientIp("10.1.2.3", "garbage, 10.2.2.2", proxies)).toBe("10.2.2.2");
    expect(clientIp("10.0.0.5", `${"9".repeat(5000)}`, oneHop)).toBe("10.0.0.5");
    expect(clientIp("10.0.0.5", "203.0.113.9:4711", oneHop)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.5", "[2001:db8::9]:4711", oneHop)).toBe("2001:db8::9");
    expect(clientIp("10.0.0.5", ["198.51.100.1", "203.0.113.9"], oneHop)).toBe("203.0.113.9");
    expect(clientIp("10.0.0.5", " , ,203.0.113.9,", oneHop)).toBe("203.0.113.9");
  });

  it("is null only when the peer's address is unknown or invalid", () => {
    expect(clientIp(undefined, "203.0.113.9", oneHop)).toBeNull();
    expect(clientIp("", "203.0.113.9", none)).toBeNull();
  });
});

describe("requestInfo reads the server's single value", () => {
  it("validates it and never fails over a bad one", () => {
    expect(requestInfo(new Headers({ "x-forwarded-for": "203.0.113.9" })).ip).toBe("203.0.113.9");
    expect(requestInfo(new Headers({ "x-forwarded-for": "::ffff:203.0.113.9" })).ip).toBe("203.0.113.9");
    expect(requestInfo(new Headers({ "x-forwarded-for": "x".repeat(200) })).ip).toBeNull();
    expect(requestInfo(new Headers({ "x-forwarded-for": "<b>not an ip</b>" })).ip).toBeNull();
    expect(requestInfo({ "x-forwarded-for": "2001:DB8::1" }).ip).toBe("2001:db8::1");
  });
});

describe("where the server listens", () => {
  const settings = [
    {},
    { SMTP_URL: "smtp://mail.example.test:587" },
    { DATABASE_URL: "postgresql://localhost/gatehouse" },
    { DATABASE_URL: "postgresql://localhost/gatehouse", SMTP_URL: "smtp://mail.example.test:587" },
    { SMTP_URL: "" },
  ];

  it("decides 'embedded demo' exactly as mailboxEnabled() does", () => {
    for (const env of settings) {
      for (const NODE_ENV of ["production", "development"] as const) {
        const isProductionDeployment = NODE_ENV === "production" && Boolean(env.DATABASE_URL);
        const config = { SMTP_URL: env.SMTP_URL || undefined, DATABASE_URL: env.DATABASE_URL || undefined, isProductionDeployment };
        expect(embeddedMailbox({ ...env, NODE_ENV }), JSON.stringify({ ...env, NODE_ENV })).toBe(mailboxEnabled(config));
      }
    }
  });

  it("is loopback for the embedded demo unless HOST is set; HOST or every interface for a deployment", () => {
    expect(listenAddresses({})).toEqual(["127.0.0.1", "::1"]);
    expect(listenAddresses({ HOST: "" })).toEqual(["127.0.0.1", "::1"]);
    expect(listenAddresses({ HOST: "0.0.0.0" })).toEqual(["0.0.0.0"]);
    expect(listenAddresses({ SMTP_URL: "smtp://mail.example.test:587" })).toEqual([undefined]);
    expect(listenAddresses({ DATABASE_URL: "postgresql://localhost/gatehouse" })).toEqual([undefined]);
    expect(listenAddresses({ DATABASE_URL: "postgresql://localhost/gatehouse", HOST: "10.0.0.4" })).toEqual(["10.0.0.4"]);
  });

  it("is 127.0.0.1 alone for `npm run dev` whatever the database, unless HOST is set", () => {
    expect(listenAddresses({ DATABASE_URL: "postgresql://localhost/gatehouse", SMTP_URL: "smtp://mail.example.test:587" }, { dev: true })).toEqual([
      "127.0.0.1",
    ]);
    expect(listenAddresses({ HOST: "0.0.0.0" }, { dev: true })).toEqual(["0.0.0.0"]);
  });
});
