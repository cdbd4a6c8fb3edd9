import { validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { GET as openApiJson } from "@/app/api/v1/openapi.json/route";

// The Admin API's contract in tests: the document /api/v1/openapi.json serves,
// checked as OpenAPI 3.1, and every response a test gets checked against the
// operation it came from (status documented, body valid against its schema,
// problem documents as application/problem+json).

type Json = Record<string, unknown>;

let loaded: Promise<{ document: Json; ajv: Ajv2020 }> | undefined;

async function load() {
  const response = await openApiJson();
  expect(response.status).toBe(200);
  const document = (await response.json()) as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, "openapi");
  return { document, ajv };
}

/** The served document and an Ajv that knows it (once per test file). */
export function openApiDocument(): Promise<{ document: Json; ajv: Ajv2020 }> {
  return (loaded ??= load());
}

/** The parser's verdict on the document: [] when it is valid OpenAPI 3.1. */
export async function openApiProblems(): Promise<string[]> {
  const { document } = await openApiDocument();
  const result = await validate(structuredClone(document) as never);
  expect(result.specification).toBe("OpenAPI");
  return result.valid ? [] : result.errors.map((e) => e.message);
}

const pointer = (...segments: string[]) => segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/**
 * Asserts that `response` is one the document allows for `method path` (the
 * template, e.g. "/api/v1/users/{id}"): its status is documented, and its
 * body matches the documented schema for its content type. Returns the parsed
 * body (undefined when there is none).
 */
export async function expectDocumented(response: Response, method: string, path: string): Promise<unknown> {
  const { document, ajv } = await openApiDocument();
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  const operation = paths[path]?.[method.toLowerCase()];
  expect(operation, `${method} ${path} is in the document`).toBeDefined();
  const documented = operation!.responses[String(response.status)];
  expect(documented, `${method} ${path} documents status ${response.status}`).toBeDefined();
  expect(response.headers.get("cache-control")).toBe("no-store");
  const text = await response.text();
  if (!documented!.content) {
    expect(text, `${method} ${path} ${response.status} has no body`).toBe("");
    return undefined;
  }
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  expect(Object.keys(documented!.content), `${method} ${path} ${response.status} content type`).toContain(type);
  const body = JSON.parse(text) as unknown;
  const ref = `openapi#/${pointer("paths", path, method.toLowerCase(), "responses", String(response.status), "content", type, "schema")}`;
  const check = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
  const valid = check(body);
  expect(valid ? [] : check.errors, `${method} ${path} ${response.status} body matches the document: ${text.slice(0, 500)}`).toEqual([]);
  return body;
}
