import crypto from "node:crypto";
import type { RequestInfo } from "@/lib/http/request-info";
import { TEST_REQUEST } from "./factories";

/**
 * A request from an address no other test uses (IPv6 documentation prefix),
 * so per-IP login counters of one test cannot leak into another.
 */
export function requestFromNewIp(userAgent = TEST_REQUEST.userAgent): RequestInfo {
  const hex = crypto.randomBytes(6).toString("hex").match(/.{4}/g)!.join(":");
  return { ip: `2001:db8::${hex}`, userAgent };
}
