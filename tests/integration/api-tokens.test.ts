import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_TOKEN_PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { API_TOKEN_PREFIX, generateApiTokenSecret, hashApiTokenSecret } from "@/lib/api-tokens/format";
import { API_TOKEN_REFUSED, ApiTokenError, recordScopeDenied, resolveApiToken, type ApiTokenFailure } from "@/lib/api-tokens/resolve";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, TEST_REQUEST } from "../support/factories";

useTestDatabase();

// The Admin API's bearer tokens (DESIGN.md section 12), attacker first: every
// way to present a token that should not work gets the same 401, and a token
// that works never does more than its creator may do now.

const DAY = 86_400_000;

function apiRequest(secret: string | null, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/api/v1/session-settings", {
    headers: { ...(secret === null ? {} : { authorization: `Bearer ${secret}` }), "x-forwarded-for": TEST_REQUEST.ip, ...headers },
  });
}

async function refusal(request: Request): Promise<ApiTokenFailure> {
  const error = await rejectionOf(resolveApiToken(request));
  expect(error).toBeInstanceOf(ApiTokenError);
  // One message whatever went wrong: nothing tells a guesser how close they came.
  expect(error.message).toBe(API_TOKEN_REFUSED);
  expect((error as ApiTokenError).status).toBe(401);
  return (error as ApiTokenError).reason;
}

async function adminToken(org: Awaited<ReturnType<typeof createOrg>>, scopes: readonly Permission[] = DEFAULT_TOKEN_PERMISSIONS, expiresInMs = 30 * DAY) {
  return mintApiToken({
    orgId: org.orgId,
    name: "deploy",
    scopes,
    expiresAt: new Date(Date.now() + expiresInMs),
    createdBy: { id: org.adminId, name: org.admin.userName },
  });
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("resolveApiToken refuses", () => {
  it("a request without a token, or with another kind of credential", async () => {
    expect(await refusal(apiRequest(null))).toBe("missing");
    expect(await refusal(apiRequest(null, { authorization: "   " }))).toBe("missing");
    expect(await refusal(apiRequest(null, { authorization: "Basic dXNlcjpwYXNz" }))).toBe("malformed");
  });

  it("a malformed secret or one whose checksum is wrong, without asking the database", async () => {
    const good = generateApiTokenSecret();
    const last = good.at(-1) === "0" ? "1" : "0";
    const spy = vi.spyOn(db().apiToken, "findUnique");
    try {
      for (const secret of [
        "nope",
        "gatehouse_pat_",
        good.slice(0, -1),
        `${good}x`,
        good.replace(API_TOKEN_PREFIX, "ghp_"),
        `${good.slice(0, -1)}${last}`, // checksum off by one character
        `${good.slice(0, API_TOKEN_PREFIX.length)}${good.at(API_TOKEN_PREFIX.length) === "A" ? "B" : "A"}${good.slice(API_TOKEN_PREFIX.length + 1)}`,
        `${API_TOKEN_PREFIX}${"!".repeat(38)}`,
      ]) {
        expect(await refusal(apiRequest(secret)), secret).toBe("malformed");
      }
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it("a well-formed secret that was never issued", async () => {
    expect(await refusal(apiRequest(generateApiTokenSecret()))).toBe("unknown");
  });

  it("an expired token", async () => {
    const org = await createOrg("Expired");
    const token = await adminToken(org, DEFAULT_TOKEN_PERMISSIONS, 1000);
    const error = await rejectionOf(resolveApiToken(apiRequest(token.secret), { now: new Date(Date.now() + 2000) }));
    expect((error as ApiTokenError).reason).toBe("expired");
  });

  it("a revoked token", async () => {
    const org = await createOrg("Revoked");
    const token = await adminToken(org);
    await db().apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date(), revokedByName: "test" } });
    expect(await refusal(apiRequest(token.secret))).toBe("revoked");
  });

  it("a token whose creator was deactivated or is no longer an admin", async () => {
    const org = await createOrg("Creator");
    const other = await createUser(org.admin, "ADMIN");
    const token = await mintApiToken({
      orgId: org.orgId,
      name: "ci",
      scopes: ["setup:read"],
      expiresAt: new Date(Date.now() + DAY),
      createdBy: { id: other.userId, name: "Other" },
    });
    expect((await resolveApiToken(apiRequest(token.secret))).orgId).toBe(org.orgId);
    await db().user.update({ where: { id: other.userId }, data: { role: "STANDARD" } });
    expect(await refusal(apiRequest(token.secret))).toBe("creator-inactive");
    await db().user.update({ where: { id: other.userId }, data: { role: "ADMIN", isActive: false } });
    expect(await refusal(apiRequest(token.secret))).toBe("creator-inactive");
  });
});

describe("a token that works", () => {
  it("acts on its own org only, with its scopes cut to what its creator may do, never own account", async () => {
    const org = await createOrg("Own");
    const other = await createOrg("Other");
    const token = await adminToken(org, ["setup:read", "history:read", "account:self"]);
    const principal = await resolveApiToken(apiRequest(token.secret));
    expect(principal.kind).toBe("api-token");
    expect(principal.orgId).toBe(org.orgId);
    expect(principal.orgId).not.toBe(other.orgId);
    expect(principal.tokenId).toBe(token.id);
    expect(principal.createdById).toBe(org.adminId);
    expect([...principal.permissions].sort()).toEqual(["history:read", "setup:read"]);
    expect(principal.request.ip).toBe(TEST_REQUEST.ip);
  });

  it("keeps only the secret's SHA-256", async () => {
    const org = await createOrg("Hash");
    const token = await adminToken(org);
    const row = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.secretHash).toBe(hashApiTokenSecret(token.secret));
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.secret.slice(API_TOKEN_PREFIX.length + 4));
    expect(row.displayPrefix).toBe(token.secret.slice(0, API_TOKEN_PREFIX.length + 4));
  });

  it("writes last used at most once a minute", async () => {
    const org = await createOrg("LastUsed");
    const token = await adminToken(org);
    const t0 = new Date();
    await resolveApiToken(apiRequest(token.secret), { now: t0 });
    const first = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(first.lastUsedAt?.getTime()).toBe(t0.getTime());
    expect(first.lastUsedIp).toBe(TEST_REQUEST.ip);
    await resolveApiToken(apiRequest(token.secret, { "x-forwarded-for": "198.51.100.9" }), { now: new Date(t0.getTime() + 30_000) });
    const within = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(within.lastUsedAt?.getTime()).toBe(t0.getTime());
    expect(within.lastUsedIp).toBe(TEST_REQUEST.ip);
    await resolveApiToken(apiRequest(token.secret, { "x-forwarded-for": "198.51.100.9" }), { now: new Date(t0.getTime() + 61_000) });
    const after = await db().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(after.lastUsedAt?.getTime()).toBe(t0.getTime() + 61_000);
    expect(after.lastUsedIp).toBe("198.51.100.9");
  });

  it("is rate limited per token: 429 with a retry-after past the limit, other tokens unaffected", async () => {
    vi.stubEnv("API_TOKEN_REQUESTS_PER_MINUTE", "3");
    resetEnvCache();
    const org = await createOrg("Limited");
    const token = await adminToken(org);
    const other = await adminToken(org);
    const now = new Date();
    for (let i = 0; i < 3; i += 1) await resolveApiToken(apiRequest(token.secret), { now });
    const error = await rejectionOf(resolveApiToken(apiRequest(token.secret), { now }));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).status).toBe(429);
    expect((error as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    await resolveApiToken(apiRequest(other.secret), { now });
    // The next minute's window lets it through again.
    await resolveApiToken(apiRequest(token.secret), { now: new Date(now.getTime() + 61_000) });
  });

  it("records a request refused for a missing scope, once a minute per token and scope", async () => {
    const org = await createOrg("Denied");
    const token = await adminToken(org, ["setup:read"]);
    const principal = await resolveApiToken(apiRequest(token.secret));
    await recordScopeDenied(principal, "settings:write");
    await recordScopeDenied(principal, "settings:write");
    const events = await db().securityEvent.findMany({ where: { orgId: org.orgId, type: "api_token.scope_denied" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorKind: "api-token", actorId: token.id, outcome: "failure", ip: TEST_REQUEST.ip });
    expect(events[0]!.data).toMatchObject({ tokenId: token.id, permission: "settings:write" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, section: "API Tokens" } });
    expect(audit.action).toBe("API token refused: scope missing");
    expect(audit.newValue).toContain("settings:write");
  });
});
