import { gzipSync } from "node:zlib";
import { chromium, type Response } from "playwright";
import { CHROMIUM_FLAGS } from "../../tests/support/chromium";

// The JavaScript a browser downloads for a page on first load: Debian's
// Chromium (as the e2e suite runs it), a fresh context (empty cache) per page,
// every script response of the load summed. "Transferred" is the body as it
// came over the wire (Playwright's sizes().responseBodySize: the encoded
// size); each script's decoded body is also gzipped here with zlib, so the
// figure stays honest if the server ever sends JavaScript uncompressed.

export interface PageScripts {
  path: string;
  /** Where the browser ended up (a page may redirect). */
  finalPath: string;
  scripts: number;
  /** Encoded body bytes received, summed over the scripts. */
  transferred: number;
  /** Decoded bytes. */
  decoded: number;
  /** The decoded bodies gzipped with zlib (level 6, as a server's default), summed. */
  gzip: number;
  /** What the target is held to: the bytes transferred, with zlib's gzip size in place of any script sent uncompressed. */
  compressed: number;
  /** Content-Encoding of the script responses, with how many had each ("none" when absent). */
  encodings: Record<string, number>;
}

export interface PageToLoad {
  path: string;
  /** Cookies the browser already holds (a pending login for /verify). */
  cookies?: Record<string, string>;
}

const isScript = (response: Response) =>
  response.request().resourceType() === "script" || /javascript|ecmascript/.test(response.headers()["content-type"] ?? "");

export async function measurePageScripts(origin: string, pages: PageToLoad[]): Promise<PageScripts[]> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  try {
    const results: PageScripts[] = [];
    for (const page of pages) {
      const context = await browser.newContext();
      if (page.cookies) {
        await context.addCookies(Object.entries(page.cookies).map(([name, value]) => ({ name, value, url: origin })));
      }
      const tab = await context.newPage();
      const responses: Response[] = [];
      tab.on("response", (response) => void (isScript(response) && responses.push(response)));
      await tab.goto(new URL(page.path, origin).toString(), { waitUntil: "networkidle" });
      const result: PageScripts = {
        path: page.path,
        finalPath: new URL(tab.url()).pathname,
        scripts: 0,
        transferred: 0,
        decoded: 0,
        gzip: 0,
        compressed: 0,
        encodings: {},
      };
      for (const response of responses) {
        const [sizes, body] = await Promise.all([response.request().sizes(), response.body()]);
        const encoding = response.headers()["content-encoding"] ?? "none";
        result.scripts += 1;
        result.transferred += sizes.responseBodySize;
        result.decoded += body.length;
        const gzip = gzipSync(body).length;
        result.gzip += gzip;
        result.compressed += encoding === "none" ? gzip : sizes.responseBodySize;
        result.encodings[encoding] = (result.encodings[encoding] ?? 0) + 1;
      }
      results.push(result);
      await context.close();
    }
    return results;
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

/** "123.4 KB transferred (gzip), 12 scripts, 456.7 KB decoded" — and what zlib makes of it when it came uncompressed. */
export function pageScriptsText(result: PageScripts): string {
  const encodings = Object.entries(result.encodings)
    .map(([encoding, count]) => (Object.keys(result.encodings).length > 1 ? `${encoding} ×${count}` : encoding))
    .join(", ");
  const uncompressed = (result.encodings.none ?? 0) > 0;
  const parts = [
    `${kb(result.transferred)} KB transferred (${encodings || "no scripts"})`,
    `${result.scripts} scripts`,
    `${kb(result.decoded)} KB decoded`,
    ...(uncompressed ? [`${kb(result.compressed)} KB with zlib's gzip in place of the uncompressed`] : []),
  ];
  const redirected = result.finalPath !== result.path ? ` — redirected to ${result.finalPath}` : "";
  return `${parts.join(", ")}${redirected}`;
}

export const compressedKb = (result: PageScripts) => kb(result.compressed);
