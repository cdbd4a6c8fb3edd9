import crypto from "node:crypto";
import type { RequestInfo } from "@/lib/http/request-info";
import { TEST_REQUEST } from "./factories";

/**
 * A request from a network no other test uses (a random /64 in the IPv6
 * documentation prefix: per-IP limits count an IPv6 address by its /64), so
 * per-IP login counters of one test cannot leak into another.
 */
export function requestFromNewIp(userAgent = TEST_REQUEST.userAgent): RequestInfo {
  const [a, b, c] = crypto.randomBytes(6).toString("hex").match(/.{4}/g)!;
  return { ip: `2001:db8:${a}:${b}:${c}::1`, userAgent };
}
