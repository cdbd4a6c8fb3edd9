// Types for server.mjs (plain JavaScript), for the tests that import its parts.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { TrustedProxies } from "../lib/http/client-ip.mjs";

type EnvLike = Record<string, string | undefined>;

export declare function embeddedMailbox(env: EnvLike): boolean;
export declare function listenAddresses(env: EnvLike, options?: { dev?: boolean }): (string | undefined)[];
export declare function gatehouseListener(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  trust: TrustedProxies,
  options?: { hosts?: Set<string> | null },
): RequestListener;
export declare function createGatehouseServer(listener: RequestListener): Server;
export declare function allowedHosts(env: EnvLike): Set<string>;
export declare function withoutTypedValues(text: string): string;
