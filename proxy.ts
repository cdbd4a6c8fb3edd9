import { NextResponse, type NextRequest } from "next/server";

// Security headers for every page and route, decided per request: a
// Content-Security-Policy whose nonce Next.js puts on its own scripts (it reads
// the policy from the request headers), HSTS when Gatehouse is served over
// https, and a Permissions-Policy that allows WebAuthn on our origin only.

function contentSecurityPolicy(nonce: string, https: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * The dev mailbox's HTML part (app/dev/mailbox/html/route.ts): an email's own markup, shown as a mail client
 * shows it, so its inline styles apply; no script runs (also not in a tab of its own: the policy sandboxes it),
 * nothing loads from anywhere (Gatehouse's emails need nothing remote), and only our own pages may frame it.
 * Set here, for that one path: the proxy's headers win over a route's.
 */
const MAILBOX_HTML_PATH = "/dev/mailbox/html";
const EMAIL_HTML_POLICY = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  "sandbox allow-top-navigation-by-user-activation",
].join("; ");

export const PERMISSIONS_POLICY =
  "camera=(), microphone=(), geolocation=(), payment=(), usb=(), publickey-credentials-create=(self), publickey-credentials-get=(self)";

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const https = (process.env.APP_URL ?? "").startsWith("https://");
  // Exactly this path: any other spelling Next.js might route there gets the pages' stricter policy.
  const csp = request.nextUrl.pathname === MAILBOX_HTML_PATH ? EMAIL_HTML_POLICY : contentSecurityPolicy(nonce, https);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("Permissions-Policy", PERMISSIONS_POLICY);
  if (https) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

export const config = {
  // Static files carry no script of ours to protect, and our JSON routes under /api (all but next-auth's
  // /api/auth, which can answer with a page) render no markup: next.config.js gives them a fixed policy
  // instead, with no per-request work (the key step is two such requests: the proxy was ~2% of its CPU).
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico|api/(?!auth/)).*)" }],
};
