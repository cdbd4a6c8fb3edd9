import "server-only";
import { ApiProblem } from "./problem";

/** The largest JSON body the Admin API reads (Session Settings with two full model lists is under 10 KB). */
export const MAX_BODY_BYTES = 64 * 1024;

const tooLarge = (limit: number) => new ApiProblem("payload-too-large", `Send at most ${Math.floor(limit / 1024)} KB.`);

/** application/json or any +json type, with or without parameters. */
export function isJsonContentType(value: string | null): boolean {
  return /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(value ?? "");
}

/**
 * The request's body as text, read from the stream and refused past `limit`
 * bytes as they arrive: Content-Length may be absent (chunked) or wrong, so it
 * only lets us refuse earlier. Invalid UTF-8 is malformed JSON.
 */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new ApiProblem("malformed-json", "The request body is not UTF-8 text.");
  }
}

/** The request's JSON body: 415 unless it says it is JSON, 413 past the limit, 400 unless it parses. */
export async function readJsonBody(req: Request, limit = MAX_BODY_BYTES): Promise<unknown> {
  if (!isJsonContentType(req.headers.get("content-type"))) {
    throw new ApiProblem("unsupported-media-type", "Send the request body as JSON (Content-Type: application/json).");
  }
  const text = await readBodyText(req, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiProblem("malformed-json", text.trim() === "" ? "The request body is empty: send a JSON object." : "The request body is not valid JSON.");
  }
}
