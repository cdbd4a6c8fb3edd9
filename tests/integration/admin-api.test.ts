import fs from "node:fs";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { describe, expect, it, vi } from "vitest";
import { previewSessionSettingsAction } from "@/app/(app)/setup/session-settings/actions";
import * as auditTrail from "@/app/api/v1/audit-trail/route";
import * as events from "@/app/api/v1/events/route";
import * as loginHistory from "@/app/api/v1/login-history/route";
import * as sessionSettings from "@/app/api/v1/session-settings/route";
import * as users from "@/app/api/v1/users/route";
import * as user from "@/app/api/v1/users/[id]/route";
import * as deactivate from "@/app/api/v1/users/[id]/deactivate/route";
import * as endSessions from "@/app/api/v1/users/[id]/end-sessions/route";
import * as keys from "@/app/api/v1/users/[id]/keys/route";
import * as key from "@/app/api/v1/users/[id]/keys/[keyId]/route";
import * as reactivate from "@/app/api/v1/users/[id]/reactivate/route";
import * as resetPassword from "@/app/api/v1/users/[id]/reset-password/route";
import * as temporaryCodes from "@/app/api/v1/users/[id]/temporary-codes/route";
import * as verificationHistory from "@/app/api/v1/verification-history/route";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import type { ApiHandler } from "@/lib/api/route";
import { sessionCookieName } from "@/lib/auth/options";
import { DEFAULT_TOKEN_PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { authSecret, resetEnvCache } from "@/lib/env";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { createOrg, createUser, signIn } from "../support/factories";
import { actAs, formData } from "../support/next-request";
import { expectDocumented, openApiDocument, openApiProblems } from "../support/openapi";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";
import { registering } from "../support/step-up";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

// The Admin API (DESIGN.md section 12) through its route handlers, called with
// real Requests and real tokens. Every answer is checked against the OpenAPI
// document the API serves, refusals included.

const ROOT = path.resolve(import.meta.dirname, "../..");
const ORIGIN = "http://localhost:3000";
const DAY = 86_400_000;

const ROUTES: Record<string, Record<string, unknown>> = {
  "/api/v1/session-settings": sessionSettings,
  "/api/v1/users": users,
  "/api/v1/users/{id}": user,
  "/api/v1/users/{id}/deactivate": deactivate,
  "/api/v1/users/{id}/reactivate": reactivate,
  "/api/v1/users/{id}/reset-password": resetPassword,
  "/api/v1/users/{id}/end-sessions": endSessions,
  "/api/v1/users/{id}/keys": keys,
  "/api/v1/users/{id}/keys/{keyId}": key,
  "/api/v1/users/{id}/temporary-codes": temporaryCodes,
  "/api/v1/login-history": loginHistory,
  "/api/v1/verification-history": verificationHistory,
  "/api/v1/audit-trail": auditTrail,
  "/api/v1/events": events,
};

type Org = Awaited<ReturnType<typeof createOrg>>;

async function tokenFor(org: Org, scopes: readonly Permission[] = DEFAULT_TOKEN_PERMISSIONS, expiresAt = new Date(Date.now() + 30 * DAY)) {
  const token = await mintApiToken({ orgId: org.orgId, name: "deploy", scopes, expiresAt, createdBy: { id: org.adminId, name: org.admin.userName } });
  return token.secret;
}

interface Send {
  secret?: string | null;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Calls `method template` as an HTTP client would, and checks the answer against the document. */
async function send(method: string, template: string, options: Send = {}) {
  const handler = ROUTES[template]?.[method] as ApiHandler | undefined;
  if (!handler) throw new Error(`no handler for ${method} ${template}`);
  const url = new URL(
    template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? "")),
    ORIGIN,
  );
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { "x-forwarded-for": "203.0.113.50", "user-agent": "gatehouse-cli/1.0", ...options.headers };
  if (options.secret) headers.authorization = `Bearer ${options.secret}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await handler(new Request(url, { method, headers, body }));
  expect(response.status, `${method} ${template}`).toBeLessThan(500);
  const json = (await expectDocumented(response.clone(), method, template)) as Record<string, unknown> | undefined;
  return { status: response.status, headers: response.headers, body: json ?? {} };
}

type Problem = { type: string; status: number; detail: string; errors?: { field: string; message: string }[] };
const problemType = (slug: string) => `https://gatehouse.dev/problems/${slug}`;

/** A standard user with a registered (software) security key and nothing else: their only method is the key. */
async function userWithKey(org: Org) {
  await setOrgSettings(org.orgId, {});
  const member = await createUser(org.admin);
  const session = await signIn(member.userId);
  await reauthenticate(session.ctx);
  const key = await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);
  return { ...member, keyId: key.id };
}

async function readSettings(secret: string) {
  const read = await send("GET", "/api/v1/session-settings", { secret });
  expect(read.status).toBe(200);
  return { document: read.body, etag: read.headers.get("etag")! };
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1, public, and describes every route under app/api/v1 with its bearer security and problem responses", async () => {
    expect(await openApiProblems()).toEqual([]);
    const { document } = await openApiDocument();
    expect(document.openapi).toBe("3.1.0");
    const paths = document.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;

    // Every route file's exports are in the document, under the file's own URL path.
    const routeFiles = (function walk(dir: string): string[] {
      return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
    })("app/api/v1").filter((file) => file.endsWith("/route.ts") && !file.includes("openapi.json"));
    const exported: string[] = [];
    for (const file of routeFiles) {
      const mod = (await import(/* @vite-ignore */ path.join(ROOT, file))) as Record<string, ApiHandler>;
      const urlPath = `/${file.split("/").slice(1, -1).join("/")}`.replace(/\[(\w+)\]/g, "{$1}");
      for (const [method, handler] of Object.entries(mod)) {
        expect(handler.operation.path, file).toBe(urlPath);
        expect(handler.operation.method).toBe(method);
        exported.push(`${method} ${urlPath}`);
      }
    }
    const documented = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(exported.sort());
    for (const ops of Object.values(paths)) {
      for (const op of Object.values(ops)) {
        expect(op.security).toEqual([{ bearerToken: [] }]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["400", "401", "403", "429"]));
      }
    }
    expect((document.components as { securitySchemes: unknown }).securitySchemes).toMatchObject({ bearerToken: { type: "http", scheme: "bearer" } });
  });
});

describe("Session Settings as one document", () => {
  it("reads with an ETag; two writes with the same ETag: one 200, one 412, one set of audit events", async () => {
    const org = await createOrg("Etag");
    const secret = await tokenFor(org);
    const { document, etag } = await readSettings(secret);
    expect(etag).toBe('"0"');
    expect(document).toMatchObject({ allowSecurityKeys: false, sessionTimeoutMinutes: 120, mfaRequiredFrom: null, allowedAaguids: [] });

    const put = (changes: Record<string, unknown>) =>
      send("PUT", "/api/v1/session-settings", { secret, body: { ...document, ...changes }, headers: { "if-match": etag } });
    const [a, b] = await Promise.all([put({ sessionTimeoutMinutes: 240, lockSessionsToIp: true }), put({ sessionTimeoutMinutes: 480 })]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const won = a.status === 200 ? a : b;
    const lost = a.status === 200 ? b : a;
    expect((lost.body as Problem).type).toBe(problemType("precondition-failed"));
    expect(won.headers.get("etag")).toBe('"1"');
    const events = await db().securityEvent.findMany({ where: { orgId: org.orgId, type: "settings.updated" } });
    expect(events.length).toBe((won.body.changes as unknown[]).length);
    expect(events.every((e) => e.actorKind === "api-token")).toBe(true);

    // The same ETag again is stale now.
    expect((await put({ sessionTimeoutMinutes: 60 })).status).toBe(412);
    expect(await db().securityEvent.count({ where: { orgId: org.orgId, type: "settings.updated" } })).toBe(events.length);
  });

  it("a write without If-Match is 428; PUT without some fields is 400 naming each one; nothing changes", async () => {
    const org = await createOrg("Precond");
    const secret = await tokenFor(org);
    const { document, etag } = await readSettings(secret);
    const before = await tableCounts();

    const noIfMatch = await send("PUT", "/api/v1/session-settings", { secret, body: document });
    expect(noIfMatch.status).toBe(428);
    expect((noIfMatch.body as Problem).type).toBe(problemType("precondition-required"));
    expect((await send("PATCH", "/api/v1/session-settings", { secret, body: { lockSessionsToIp: true } })).status).toBe(428);

    const { allowTotp: _a, sessionTimeoutMinutes: _s, ...partial } = document;
    const missing = await send("PUT", "/api/v1/session-settings", { secret, body: partial, headers: { "if-match": etag } });
    expect(missing.status).toBe(400);
    const problem = missing.body as Problem;
    expect(problem.type).toBe(problemType("validation"));
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(["allowTotp", "sessionTimeoutMinutes"]);
    expect(problem.detail).toContain("allowTotp");
    expect(await tableCounts()).toEqual(before);
    expect(await db().orgSettings.count({ where: { orgId: org.orgId } })).toBe(0);
  });

  it("PATCH changes only the fields given; the page's rules apply (normalised AAGUIDs, a model in both lists refused)", async () => {
    const org = await createOrg("Patch");
    const secret = await tokenFor(org);
    const { document, etag } = await readSettings(secret);
    const aaguid = "CB69481E-8FF7-4039-93EC-0A2729A154A8";
    const patched = await send("PATCH", "/api/v1/session-settings", {
      secret,
      body: { allowSecurityKeys: true, allowedAaguids: [aaguid, aaguid] },
      headers: { "if-match": etag },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get("etag")).toBe('"1"');
    expect(patched.body.settings).toEqual({ ...document, allowSecurityKeys: true, allowedAaguids: [aaguid.toLowerCase()] });
    expect((patched.body.changes as { field: string }[]).map((c) => c.field)).toEqual(["allowSecurityKeys", "allowedAaguids"]);
    expect((await readSettings(secret)).document).toEqual(patched.body.settings);

    const both = await send("PATCH", "/api/v1/session-settings", { secret, body: { blockedAaguids: [aaguid] }, headers: { "if-match": '"1"' } });
    expect(both.status).toBe(400);
    expect((both.body as Problem).errors?.[0]?.field).toBe("blockedAaguids");
  });

  it("dry_run returns the changes and the page's warnings and writes nothing", async () => {
    const org = await createOrg("Dry");
    const member = await userWithKey(org);
    const secret = await tokenFor(org);
    const { etag } = await readSettings(secret);
    const before = { counts: await tableCounts(), settings: await db().orgSettings.findUnique({ where: { orgId: org.orgId } }) };

    // Keys off while the member's only method is a key; MFA required at once.
    const off = await send("PATCH", "/api/v1/session-settings", {
      secret,
      query: { dry_run: "true" },
      body: { allowSecurityKeys: false, requireMfa: true },
      headers: { "if-match": etag },
    });
    expect(off.status).toBe(200);
    expect(off.body.changes).toEqual([
      { field: "allowSecurityKeys", label: "Let users verify their identity with a physical security key (U2F)", old: true, new: false },
      { field: "requireMfa", label: "Require multi-factor authentication for all direct UI logins", old: false, new: true },
    ]);
    const warnings = off.body.warnings as { code: string; message: string }[];
    expect(warnings.map((w) => w.code)).toEqual(["users-left-without-method", "mfa-required-at-once"]);
    expect(warnings[0]!.message).toBe("1 user can only verify their identity with a security key.");

    // Blocking the model of the member's key.
    const { aaguid } = await db().securityKey.findUniqueOrThrow({ where: { id: member.keyId } });
    const verified = await send("PUT", "/api/v1/session-settings", {
      secret,
      query: { dry_run: "true" },
      body: { ...(await readSettings(secret)).document, blockedAaguids: [aaguid] },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.warnings).toEqual([
      {
        code: "keys-would-stop-working",
        message: "1 registered key would stop working with these settings: their users will have to verify another way or register an accepted key.",
      },
    ]);
    // A role's requirement (DESIGN.md section 14): the org's admin has no key.
    const byRole = await send("PATCH", "/api/v1/session-settings", { secret, query: { dry_run: "true" }, body: { adminRequirement: "SECURITY_KEY" } });
    expect(byRole.body.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ code: "role-requirement-not-met", role: "ADMIN" })]));
    expect(await tableCounts()).toEqual(before.counts);
    expect(await db().orgSettings.findUnique({ where: { orgId: org.orgId } })).toEqual(before.settings);
    expect(member.keyId).toBeTruthy();
  });
});

describe("the page's save asks the same function", () => {
  it("Session Settings' preview (before its step-up) gives the warnings the API's dry run gives", async () => {
    const org = await createOrg("Page");
    const member = await userWithKey(org);
    const secret = await tokenFor(org);
    const { document, etag } = await readSettings(secret);
    const api = await send("PATCH", "/api/v1/session-settings", {
      secret,
      query: { dry_run: "true" },
      body: { allowSecurityKeys: false, requireMfa: true },
      headers: { "if-match": etag },
    });
    await actAs(org.adminToken);
    const page = await previewSessionSettingsAction(
      formData({
        version: etag.replaceAll('"', ""),
        ...Object.fromEntries(
          Object.entries(document)
            .filter(([, v]) => v === true)
            .map(([k]) => [k, "on"]),
        ),
        allowSecurityKeys: undefined,
        requireMfa: "on",
        mfaRequiredFrom: "",
        reauthWindowMinutes: String(document.reauthWindowMinutes),
        userVerification: String(document.userVerification),
        authenticatorType: String(document.authenticatorType),
        sessionTimeoutMinutes: String(document.sessionTimeoutMinutes),
        adminRequirement: String(document.adminRequirement),
        standardRequirement: String(document.standardRequirement),
      }),
    );
    expect(page).toEqual({ ok: true, data: { warnings: api.body.warnings } });
    expect((api.body.warnings as unknown[]).length).toBe(2);
    expect(member.keyId).toBeTruthy();
  });
});

describe("bad input is a 4xx problem document, never a 5xx, and changes nothing", () => {
  it("unknown fields, wrong content type, oversized or malformed bodies, bad parameters, tampered cursors", async () => {
    const org = await createOrg("Bad");
    const secret = await tokenFor(org, [...DEFAULT_TOKEN_PERMISSIONS, "codes:issue"]);
    const { etag } = await readSettings(secret);
    const member = await createUser(org.admin);
    const before = await tableCounts();
    const ifMatch = { "if-match": etag };
    const cases: [string, Promise<Awaited<ReturnType<typeof send>>>, number, string][] = [
      [
        "unknown field",
        send("PATCH", "/api/v1/session-settings", { secret, body: { lockSessionsToIp: true, sessionTimeout: 5 }, headers: ifMatch }),
        400,
        "validation",
      ],
      ["out of range", send("PATCH", "/api/v1/session-settings", { secret, body: { reauthWindowMinutes: 61 }, headers: ifMatch }), 400, "validation"],
      ["wrong type", send("PATCH", "/api/v1/session-settings", { secret, body: { lockSessionsToIp: "yes" }, headers: ifMatch }), 400, "validation"],
      ["a JSON array", send("PATCH", "/api/v1/session-settings", { secret, body: [1], headers: ifMatch }), 400, "validation"],
      ["malformed JSON", send("PATCH", "/api/v1/session-settings", { secret, body: '{"lockSessionsToIp": tru', headers: ifMatch }), 400, "malformed-json"],
      ["empty body", send("PUT", "/api/v1/session-settings", { secret, body: "", headers: ifMatch }), 400, "malformed-json"],
      [
        "form content type",
        send("PATCH", "/api/v1/session-settings", {
          secret,
          body: "lockSessionsToIp=true",
          headers: { ...ifMatch, "content-type": "application/x-www-form-urlencoded" },
        }),
        415,
        "unsupported-media-type",
      ],
      [
        "oversized",
        send("PATCH", "/api/v1/session-settings", { secret, body: { allowedAaguids: ["x".repeat(70_000)] }, headers: ifMatch }),
        413,
        "payload-too-large",
      ],
      ["unknown query parameter", send("GET", "/api/v1/users", { secret, query: { page: "2" } }), 400, "validation"],
      ["bad limit", send("GET", "/api/v1/users", { secret, query: { limit: "5000" } }), 400, "validation"],
      ["bad filter", send("GET", "/api/v1/login-history", { secret, query: { result: "Maybe" } }), 400, "validation"],
      ["bad instant", send("GET", "/api/v1/audit-trail", { secret, query: { since: "yesterday" } }), 400, "validation"],
      ["tampered cursor", send("GET", "/api/v1/users", { secret, query: { cursor: "eyJub3QiOiJhIGN1cnNvciJ9" } }), 400, "invalid-cursor"],
      ["garbage cursor", send("GET", "/api/v1/audit-trail", { secret, query: { cursor: "!!!" } }), 400, "validation"],
      [
        "another list's cursor",
        send("GET", "/api/v1/login-history", {
          secret,
          query: { cursor: Buffer.from(JSON.stringify([1, "users", new Date().toISOString(), member.userId])).toString("base64url") },
        }),
        400,
        "invalid-cursor",
      ],
      ["a malformed id", send("GET", "/api/v1/users/{id}", { secret, params: { id: "not-a-uuid" } }), 404, "not-found"],
      [
        "new user, unknown field",
        send("POST", "/api/v1/users", { secret, body: { name: "A", username: "a@bad.test", email: "a@bad.test", role: "STANDARD", isAdmin: true } }),
        400,
        "validation",
      ],
      [
        "a body where none is taken",
        send("POST", "/api/v1/users/{id}/deactivate", { secret, params: { id: member.userId }, body: { force: true } }),
        400,
        "validation",
      ],
      ["code hours", send("POST", "/api/v1/users/{id}/temporary-codes", { secret, params: { id: member.userId }, body: { hours: 48 } }), 400, "validation"],
    ];
    for (const [name, pending, status, slug] of cases) {
      const { status: got, headers, body } = await pending;
      expect([name, got, (body as Problem).type], name).toEqual([name, status, problemType(slug)]);
      expect(headers.get("content-type")).toBe("application/problem+json");
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("a body over the limit is refused from the stream, whatever Content-Length says", async () => {
    const org = await createOrg("Stream");
    const secret = await tokenFor(org);
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 10) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(`${ORIGIN}/api/v1/session-settings`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "if-match": '"0"' },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const response = await (sessionSettings.PATCH as ApiHandler)(request);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(10);
  });
});

describe("who may call", () => {
  it("no token, a malformed, expired or revoked token, or a browser session alone: 401, nothing changes", async () => {
    const org = await createOrg("Auth");
    const expired = await tokenFor(org, DEFAULT_TOKEN_PERMISSIONS, new Date(Date.now() - 1000));
    const revoked = await tokenFor(org);
    await db().apiToken.updateMany({ where: { orgId: org.orgId }, data: { revokedAt: new Date(), revokedByName: "Test" } });
    const session = await signIn(org.adminId, { fresh: true });
    const cookie = `${sessionCookieName()}=${await encode({ token: { sid: session.token }, secret: authSecret() })}`;
    const before = await tableCounts();
    for (const [name, options] of [
      ["no token", {}],
      ["not a token", { headers: { authorization: "Bearer hunter2" } }],
      ["expired", { secret: expired }],
      ["revoked", { secret: revoked }],
      ["session cookie", { headers: { cookie } }],
      ["session cookie and a revoked token", { secret: revoked, headers: { cookie } }],
    ] as const) {
      const read = await send("GET", "/api/v1/session-settings", options);
      expect([name, read.status, (read.body as Problem).type]).toEqual([name, 401, problemType("unauthorized")]);
      const write = await send("PATCH", "/api/v1/session-settings", {
        ...options,
        body: { lockSessionsToIp: true },
        headers: { ...options.headers, "if-match": '"0"' },
      });
      expect([name, write.status]).toEqual([name, 401]);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("a token without the permission gets 403 and the refusal is audited; another org's ids are 404", async () => {
    const org = await createOrg("Scope");
    const other = await createOrg("Other");
    const member = await userWithKey(other);
    const readOnly = await tokenFor(org, ["setup:read"]);
    const denied = await send("POST", "/api/v1/users/{id}/deactivate", { secret: readOnly, params: { id: org.adminId } });
    expect([denied.status, (denied.body as Problem).type]).toEqual([403, problemType("permission-denied")]);
    expect(await db().securityEvent.count({ where: { orgId: org.orgId, type: "api_token.scope_denied" } })).toBe(1);
    expect(await db().user.count({ where: { id: org.adminId, isActive: true } })).toBe(1);
    // A write that also warns needs both permissions.
    const settingsOnly = await tokenFor(org, ["settings:write"]);
    expect((await send("PATCH", "/api/v1/session-settings", { secret: settingsOnly, body: {}, headers: { "if-match": '"0"' } })).status).toBe(403);

    const secret = await tokenFor(org, [...DEFAULT_TOKEN_PERMISSIONS, "codes:issue"]);
    const params = { id: member.userId, keyId: member.keyId };
    await send("GET", "/api/v1/users", { secret }); // the token's first use starts its rate-limit window
    const before = await tableCounts();
    const keysBefore = await db().securityKey.count();
    for (const [method, template, body] of [
      ["GET", "/api/v1/users/{id}", undefined],
      ["POST", "/api/v1/users/{id}/deactivate", undefined],
      ["POST", "/api/v1/users/{id}/reactivate", undefined],
      ["POST", "/api/v1/users/{id}/reset-password", undefined],
      ["POST", "/api/v1/users/{id}/end-sessions", undefined],
      ["GET", "/api/v1/users/{id}/keys", undefined],
      ["DELETE", "/api/v1/users/{id}/keys/{keyId}", undefined],
      ["POST", "/api/v1/users/{id}/temporary-codes", { hours: 2 }],
    ] as const) {
      const answer = await send(method, template, { secret, params, body });
      expect([method, template, answer.status, (answer.body as Problem).type]).toEqual([method, template, 404, problemType("not-found")]);
    }
    expect(await tableCounts()).toEqual(before);
    expect(await db().securityKey.count()).toBe(keysBefore);
  });
});

describe("rate limits", () => {
  it("a token past its budget gets 429 with Retry-After, as a problem document", async () => {
    const org = await createOrg("Busy");
    const secret = await tokenFor(org);
    process.env.API_TOKEN_REQUESTS_PER_MINUTE = "2";
    resetEnvCache();
    try {
      expect((await send("GET", "/api/v1/users", { secret })).status).toBe(200);
      expect((await send("GET", "/api/v1/users", { secret })).status).toBe(200);
      const refused = await send("GET", "/api/v1/users", { secret });
      expect([refused.status, (refused.body as Problem).type]).toEqual([429, problemType("rate-limited")]);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      delete process.env.API_TOKEN_REQUESTS_PER_MINUTE;
      resetEnvCache();
    }
  });
});

describe("users and their keys", () => {
  it("lists with an opaque cursor and filters, reads, creates with the invitation, deactivates and reactivates", async () => {
    const org = await createOrg("Users");
    const secret = await tokenFor(org);
    const member = await userWithKey(org);
    const plain = await createUser(org.admin);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await send("GET", "/api/v1/users", { secret, query: { limit: "2", ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as { id: string }[]).map((u) => u.id));
      cursor = (page.body.nextCursor as string | null) ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual([org.adminId, member.userId, plain.userId].sort());

    const withKey = await send("GET", "/api/v1/users", { secret, query: { hasKey: "true" } });
    expect((withKey.body.items as { id: string; methods: { securityKeys: number } }[]).map((u) => [u.id, u.methods.securityKeys])).toEqual([
      [member.userId, 1],
    ]);
    const admins = await send("GET", "/api/v1/users", { secret, query: { role: "ADMIN" } });
    expect((admins.body.items as { id: string }[]).map((u) => u.id)).toEqual([org.adminId]);
    const none = await send("GET", "/api/v1/users", { secret, query: { method: "none", active: "true" } });
    expect((none.body.items as { id: string }[]).map((u) => u.id).sort()).toEqual([org.adminId, plain.userId].sort());

    const created = await send("POST", "/api/v1/users", {
      secret,
      body: { name: "Ada Lovelace", username: "Ada@Users.test", email: "ada@users.test", role: "STANDARD" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: "ada@users.test",
      role: "STANDARD",
      active: true,
      hasPassword: false,
      pendingInvitation: { purpose: "invitation" },
    });
    expect(await db().emailMessage.count({ where: { to: "ada@users.test", template: "set-password" } })).toBe(1);
    const duplicate = await send("POST", "/api/v1/users", {
      secret,
      body: { name: "Ada", username: "ada@users.test", email: "ada@users.test", role: "STANDARD" },
    });
    expect([duplicate.status, (duplicate.body as Problem).errors?.[0]?.field]).toEqual([422, "username"]);
    // Granting Admin needs users:grant-admin, which default tokens lack.
    expect(
      (await send("POST", "/api/v1/users", { secret, body: { name: "Eve", username: "eve@users.test", email: "eve@users.test", role: "ADMIN" } })).status,
    ).toBe(403);

    const off = await send("POST", "/api/v1/users/{id}/deactivate", { secret, params: { id: plain.userId } });
    expect([off.status, off.body.active]).toEqual([200, false]);
    expect((await send("GET", "/api/v1/users", { secret, query: { active: "false" } })).body.items).toMatchObject([{ id: plain.userId }]);
    const on = await send("POST", "/api/v1/users/{id}/reactivate", { secret, params: { id: plain.userId } });
    expect([on.status, on.body.active]).toEqual([200, true]);
    const events = await db().securityEvent.findMany({
      where: { orgId: org.orgId, targetUserId: plain.userId, type: { in: ["user.deactivated", "user.reactivated"] } },
    });
    expect(events.map((e) => [e.type, e.actorKind])).toEqual([
      ["user.deactivated", "api-token"],
      ["user.reactivated", "api-token"],
    ]);
  });

  it("resets a password, ends sessions, lists and removes keys (the user is emailed), issues a temporary code once", async () => {
    const org = await createOrg("Methods");
    const secret = await tokenFor(org, [...DEFAULT_TOKEN_PERMISSIONS, "codes:issue"]);
    const member = await userWithKey(org);
    await signIn(member.userId);

    const ended = await send("POST", "/api/v1/users/{id}/end-sessions", { secret, params: { id: member.userId } });
    expect([ended.status, ended.body.ended]).toEqual([200, 2]);
    expect(await db().session.count({ where: { userId: member.userId, revokedAt: null } })).toBe(0);

    const listed = await send("GET", "/api/v1/users/{id}/keys", { secret, params: { id: member.userId } });
    expect(listed.body.items).toMatchObject([{ id: member.keyId, flagged: false, suspended: false }]);

    const code = await send("POST", "/api/v1/users/{id}/temporary-codes", { secret, params: { id: member.userId }, body: { hours: 2 } });
    expect(code.status).toBe(201);
    expect(code.body.code).toEqual(expect.any(String));
    expect(JSON.stringify(await db().temporaryCode.findMany({ where: { userId: member.userId } }))).not.toContain(code.body.code as string);

    const emails = await db().emailMessage.count({ where: { to: member.username } });
    const removed = await send("DELETE", "/api/v1/users/{id}/keys/{keyId}", {
      secret,
      params: { id: member.userId, keyId: member.keyId },
      query: { reason: "Lost" },
    });
    expect(removed.status).toBe(204);
    expect(await db().securityKey.count({ where: { id: member.keyId } })).toBe(0);
    expect(await db().emailMessage.count({ where: { to: member.username } })).toBe(emails + 1);
    expect((await send("DELETE", "/api/v1/users/{id}/keys/{keyId}", { secret, params: { id: member.userId, keyId: member.keyId } })).status).toBe(404);

    const reset = await send("POST", "/api/v1/users/{id}/reset-password", { secret, params: { id: member.userId } });
    expect(reset.status).toBe(204);
    expect((await db().user.findUniqueOrThrow({ where: { id: member.userId } })).passwordHash).toBeNull();
    const again = await send("POST", "/api/v1/users/{id}/reset-password", { secret, params: { id: member.userId } });
    expect([again.status, (again.body as Problem).type]).toEqual([422, problemType("unprocessable")]);
  });
});

describe("history", () => {
  it("reads Login History, Identity Verification History and the audit trail newest first, by cursor, with filters and a time window", async () => {
    const org = await createOrg("History");
    const secret = await tokenFor(org);
    const start = new Date();
    const { etag } = await readSettings(secret);
    await send("PATCH", "/api/v1/session-settings", {
      secret,
      body: { lockSessionsToIp: true, sessionTimeoutMinutes: 60, allowTotp: false },
      headers: { "if-match": etag },
    });

    const trail: { field: string | null; actor: string | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await send("GET", "/api/v1/audit-trail", { secret, query: { limit: "1", since: start.toISOString(), ...(cursor ? { cursor } : {}) } });
      trail.push(...(page.body.items as typeof trail));
      cursor = (page.body.nextCursor as string | null) ?? undefined;
    } while (cursor);
    // One save reads in form order, newest first.
    expect(trail.map((row) => row.field)).toEqual([
      "Let users verify their identity with an authenticator app (TOTP)",
      "Timeout value",
      "Lock sessions to the IP address from which they originated",
    ]);
    expect(trail.every((row) => row.actor === 'API token "deploy"')).toBe(true);
    expect(
      (await send("GET", "/api/v1/audit-trail", { secret, query: { until: start.toISOString(), since: new Date(start.getTime() - DAY).toISOString() } })).body
        .items,
    ).not.toContainEqual(expect.objectContaining({ field: "Timeout value" }));

    await db().loginAttempt.createMany({
      data: [
        { orgId: org.orgId, username: org.adminUsername, result: "Success", createdAt: new Date(start.getTime() - 2000) },
        { orgId: org.orgId, username: org.adminUsername, result: "Invalid password", createdAt: new Date(start.getTime() - 1000) },
        { orgId: null, username: "someone@else.test", result: "Invalid password", createdAt: new Date(start.getTime() - 500) },
      ],
    });
    const logins = await send("GET", "/api/v1/login-history", { secret, query: { result: "Invalid password" } });
    expect(logins.body.items).toMatchObject([{ username: org.adminUsername, result: "Invalid password" }]);
    const first = await send("GET", "/api/v1/login-history", { secret, query: { limit: "1" } });
    const second = await send("GET", "/api/v1/login-history", { secret, query: { limit: "1", cursor: first.body.nextCursor as string } });
    expect([(first.body.items as { result: string }[])[0]!.result, (second.body.items as { result: string }[])[0]!.result]).toEqual([
      "Invalid password",
      "Success",
    ]);
    expect(second.body.nextCursor).toBeNull();

    const verifications = await send("GET", "/api/v1/verification-history", { secret, query: { user: org.adminUsername.slice(0, 8), result: "Succeeded" } });
    expect(verifications.status).toBe(200);
    for (const row of verifications.body.items as { user: { id: string } }[]) expect(row.user.id).toBe(org.adminId);
  });
});
