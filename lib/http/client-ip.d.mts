// Types for client-ip.mjs (plain JavaScript, shared with scripts/server.mjs).
import type { IncomingMessage } from "node:http";
import type { BlockList } from "node:net";

/** What TRUSTED_PROXIES allows: a number of hops, or a set of proxy addresses and ranges. */
export type TrustedProxies = { kind: "hops"; hops: number; description: string } | { kind: "list"; v4: BlockList; v6: BlockList; description: string };

export declare const TRUSTED_PROXIES_HELP: string;
export declare function normaliseIp(value: unknown): string | null;
export declare function parseTrustedProxies(spec: string | undefined): TrustedProxies;
export declare function clientIp(
  remoteAddress: string | undefined | null,
  forwardedFor: string | string[] | undefined | null,
  trust: TrustedProxies,
): string | null;
export declare function rewriteForwardedFor(req: IncomingMessage, trust: TrustedProxies): string | null;
