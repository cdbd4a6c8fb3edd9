import { afterEach, describe, expect, it, vi } from "vitest";
import { createApiTokenAction, revokeApiTokenAction } from "@/app/(app)/setup/api-tokens/actions";
import { API_TOKEN_PREFIX, API_TOKEN_PATTERN, generateApiTokenSecret, hashApiTokenSecret } from "@/lib/api-tokens/format";
import { createApiToken, createSystemToken, revokeApiToken } from "@/lib/api-tokens/mutations";
import { listApiTokens } from "@/lib/api-tokens/queries";
import { API_TOKEN_REFUSED, ApiTokenError, recordScopeDenied, resolveApiToken, type ApiTokenFailure } from "@/lib/api-tokens/resolve";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import { stepUp } from "@/lib/auth/freshness";
import type { OrgContext } from "@/lib/auth/org-context";
import { DEFAULT_TOKEN_PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { PermissionDeniedError } from "@/lib/auth/principal";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { NotFoundError, RateLimitedError, UserFacingError } from "@/lib/errors";
import { confirmCompromiseLink } from "@/lib/users/compromise";
import { setUserActive, setUserRole } from "@/lib/users/mutations";
import { adminResetPassword } from "@/lib/users/password-reset";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { useTestDatabase } from "../support/database";
import { rejectionOf } from "../support/db-state";
import { createOrg, createUser, signIn, TEST_REQUEST } from "../support/factories";
import { actAs, formData, isForbiddenSignal } from "../support/next-request";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

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
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect(await refusal(apiRequest(token.secret))).toBe("revoked");
      // The operator's log says why and which token, never the secret.
      const logged = warn.mock.calls.map((args) => args.join(" ")).join("\n");
      expect(logged).toContain(`refused (revoked) token ${token.id} from ${TEST_REQUEST.ip}`);
      expect(logged).not.toContain(token.secret.slice(API_TOKEN_PREFIX.length));
    } finally {
      warn.mockRestore();
    }
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

// ---------------------------------------------------------------------------
// Making, listing and revoking tokens.

/** An admin of a new org whose session verified it's them just now, and the org. */
async function freshAdmin(name: string) {
  const org = await createOrg(name);
  const { token, ctx } = await signIn(org.adminId, { fresh: true });
  return { org, token, ctx };
}

const GOOD_INPUT = { name: "Terraform in CI", scopes: ["settings:write", "setup:read"], expiresInDays: "90" };

describe("creating a token", () => {
  it("is refused without a fresh verify-it's-you, and to a standard user; nothing is stored", async () => {
    const { org, token } = await freshAdmin("StepUp");
    await db().session.updateMany({ where: { userId: org.adminId }, data: { freshAuthAt: null } });
    await actAs(token);
    const lapsed = await createApiTokenAction(formData(GOOD_INPUT));
    expect(lapsed).toMatchObject({ ok: false, code: "fresh-auth-required" });

    const standard = await createUser(org.admin);
    const session = await signIn(standard.userId, { fresh: true });
    await actAs(session.token);
    expect(isForbiddenSignal(await rejectionOf(createApiTokenAction(formData(GOOD_INPUT))))).toBe(true);
    // The service itself refuses a standard user, even stepped up.
    expect(await rejectionOf(createApiToken(await stepUp(session.ctx), { name: "x", scopes: ["setup:read"], expiresInDays: 30 }))).toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(await db().apiToken.count({ where: { orgId: org.orgId } })).toBe(0);
    expect(await db().securityEvent.count({ where: { orgId: org.orgId, type: "api_token.created" } })).toBe(0);
  });

  it("refuses a bad name, no scopes, scopes a token cannot carry or the creator lacks, and an expiry past 366 days", async () => {
    const { org, token, ctx } = await freshAdmin("BadInput");
    await actAs(token);
    const cases: [Record<string, string | string[] | undefined>, string][] = [
      [{ ...GOOD_INPUT, name: "   " }, "name"],
      [{ ...GOOD_INPUT, name: "x".repeat(101) }, "name"],
      [{ ...GOOD_INPUT, scopes: undefined }, "scopes"],
      [{ ...GOOD_INPUT, scopes: ["account:self"] }, "scopes"],
      [{ ...GOOD_INPUT, scopes: ["setup:read", "root:everything"] }, "scopes"],
      [{ ...GOOD_INPUT, expiresInDays: "367" }, "expiresInDays"],
      [{ ...GOOD_INPUT, expiresInDays: "0" }, "expiresInDays"],
      [{ ...GOOD_INPUT, expiresInDays: "-5" }, "expiresInDays"],
      [{ ...GOOD_INPUT, expiresInDays: undefined }, "expiresInDays"],
      [{ ...GOOD_INPUT, expiresInDays: "never" }, "expiresInDays"],
    ];
    for (const [input, field] of cases) {
      const result = await createApiTokenAction(formData(input));
      expect(result.ok, JSON.stringify(input)).toBe(false);
      if (!result.ok) expect(Object.keys(result.fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
    }
    // A creator who lacks a permission cannot give it (a role narrower than Admin, as a later one may be).
    const narrower = await stepUp({ ...ctx, permissions: new Set<Permission>(["setup:read", "history:read"]) } as OrgContext);
    const beyond = await rejectionOf(createApiToken(narrower, { name: "x", scopes: ["setup:read", "settings:write"], expiresInDays: 30 }));
    expect(beyond).toBeInstanceOf(UserFacingError);
    expect(beyond.message).toContain("settings:write");
    expect(await db().apiToken.count({ where: { orgId: org.orgId } })).toBe(0);
  });

  it("after verify-it's-you, answers the secret once, stores only its hash, and audits it", async () => {
    const { org, token } = await freshAdmin("Create");
    await actAs(token);
    const result = await createApiTokenAction(formData(GOOD_INPUT));
    if (!result.ok) expect.fail(result.error);
    const { secret, id } = result.data;
    expect(secret).toMatch(API_TOKEN_PATTERN);
    const row = await db().apiToken.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ orgId: org.orgId, name: "Terraform in CI", createdById: org.adminId, secretHash: hashApiTokenSecret(secret) });
    expect([...row.scopes].sort()).toEqual(["settings:write", "setup:read"]);
    const days = (row.expiresAt.getTime() - row.createdAt.getTime()) / DAY;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);

    // The list never carries the secret, nor its hash.
    const list = await listApiTokens(org.admin);
    expect(list.map((t) => t.id)).toEqual([id]);
    expect(JSON.stringify(list)).not.toContain(secret.slice(API_TOKEN_PREFIX.length + 4));
    expect(JSON.stringify(list)).not.toContain(row.secretHash);
    expect(list[0]).toMatchObject({ status: "active", createdByName: org.admin.userName, lastUsedAt: null });

    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "api_token.created" } });
    expect(event).toMatchObject({ actorKind: "user", actorId: org.adminId, outcome: "success" });
    expect(event.data).toMatchObject({ tokenId: id, name: "Terraform in CI" });
    expect(JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).not.toContain(
      secret.slice(API_TOKEN_PREFIX.length + 4),
    );
    const audit = await db().auditEvent.findFirstOrThrow({ where: { orgId: org.orgId, action: "Created API token" } });
    expect(audit.newValue).toContain("settings:write");

    const principal = await resolveApiToken(apiRequest(secret));
    expect([...principal.permissions].sort()).toEqual(["settings:write", "setup:read"]);
  });
});

describe("revoking a token", () => {
  it("stops it at once; a second revoke answers the same and records nothing more; another org's admin gets not found", async () => {
    const { org, token } = await freshAdmin("Revoke");
    const minted = await adminToken(org);
    const attacker = await freshAdmin("Attacker");
    await actAs(attacker.token);
    expect(await revokeApiTokenAction({ tokenId: minted.id })).toMatchObject({ ok: false, code: "not-found" });
    expect(await rejectionOf(revokeApiToken(attacker.ctx, minted.id))).toBeInstanceOf(NotFoundError);
    expect((await resolveApiToken(apiRequest(minted.secret))).orgId).toBe(org.orgId);

    await actAs(token);
    expect(await revokeApiTokenAction({ tokenId: minted.id })).toEqual({ ok: true, data: undefined });
    expect(await refusal(apiRequest(minted.secret))).toBe("revoked");
    expect(await revokeApiTokenAction({ tokenId: minted.id })).toEqual({ ok: true, data: undefined });
    expect(await revokeApiTokenAction({ tokenId: "not-a-uuid" })).toMatchObject({ ok: false });

    const events = await db().securityEvent.findMany({ where: { orgId: org.orgId, type: "api_token.revoked" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorKind: "user", actorId: org.adminId });
    expect(events[0]!.data).toMatchObject({ tokenId: minted.id, reason: "revoked" });
    const [listed] = await listApiTokens(org.admin);
    expect(listed).toMatchObject({ status: "revoked", revokedByName: org.admin.userName });
    expect(await db().securityEvent.count({ where: { orgId: attacker.org.orgId, type: "api_token.revoked" } })).toBe(0);
  });

  it("another org's token never lists, resolves nor acts as this org", async () => {
    const mine = await createOrg("Mine");
    const theirs = await createOrg("Theirs");
    const foreign = await adminToken(theirs);
    expect(await listApiTokens(mine.admin)).toEqual([]);
    const principal = await resolveApiToken(apiRequest(foreign.secret));
    expect(principal.orgId).toBe(theirs.orgId);
    expect(principal.orgSlug).toBe(theirs.slug);
  });
});

describe("a token stops working when its creator", () => {
  it("reports “This wasn't me” (revoked in the containment's transaction); other admins' tokens keep working", async () => {
    const { org, ctx } = await freshAdmin("Contained");
    const second = await createUser(org.admin, "ADMIN");
    const creators = await adminToken(org);
    const others = await mintApiToken({
      orgId: org.orgId,
      name: "other",
      scopes: ["setup:read"],
      expiresAt: new Date(Date.now() + DAY),
      createdBy: { id: second.userId, name: "Second" },
    });
    await generateRecoveryCodes(await stepUp(ctx));
    const message = await db().emailMessage.findFirstOrThrow({ where: { to: org.adminUsername, template: "recovery-codes-generated" } });
    const link = /\/wasnt-me\/([A-Za-z0-9_-]{43})/.exec(message.text)?.[1];
    if (!link) expect.fail("no “This wasn't me” link");
    await confirmCompromiseLink(link, TEST_REQUEST);

    expect(await refusal(apiRequest(creators.secret))).toBe("revoked");
    expect((await resolveApiToken(apiRequest(others.secret))).tokenId).toBe(others.id);
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "api_token.revoked" } });
    expect(event).toMatchObject({ actorKind: "user", actorId: org.adminId, targetUserId: org.adminId });
    expect(event.data).toMatchObject({ tokenId: creators.id, reason: "creator-contained" });
  });

  it("has their password reset by an admin", async () => {
    const { org } = await freshAdmin("Reset");
    const second = await createUser(org.admin, "ADMIN");
    const token = await mintApiToken({
      orgId: org.orgId,
      name: "ci",
      scopes: ["setup:read"],
      expiresAt: new Date(Date.now() + DAY),
      createdBy: { id: second.userId, name: "Second" },
    });
    await adminResetPassword(await stepUp(org.admin), second.userId);
    expect(await refusal(apiRequest(token.secret))).toBe("revoked");
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "api_token.revoked" } });
    expect(event).toMatchObject({ actorKind: "user", actorId: org.adminId, targetUserId: second.userId });
    expect(event.data).toMatchObject({ reason: "creator-password-reset" });
    const [listed] = await listApiTokens(org.admin);
    expect(listed).toMatchObject({ status: "revoked" });
  });

  it("is no longer an admin: the list says so", async () => {
    const { org } = await freshAdmin("Demoted");
    const second = await createUser(org.admin, "ADMIN");
    await mintApiToken({
      orgId: org.orgId,
      name: "ci",
      scopes: ["setup:read"],
      expiresAt: new Date(Date.now() + DAY),
      createdBy: { id: second.userId, name: "S" },
    });
    await db().user.update({ where: { id: second.userId }, data: { role: "STANDARD" } });
    expect((await listApiTokens(org.admin))[0]).toMatchObject({ status: "creator-inactive" });
  });
});

describe("a token whose creator an admin deactivates or demotes", () => {
  it("is revoked for good: reactivating or promoting them again does not bring it back", async () => {
    const { org, ctx } = await freshAdmin("For good");
    const [deactivated, demoted] = [await createUser(org.admin, "ADMIN"), await createUser(org.admin, "ADMIN")];
    const mint = (userId: string) =>
      mintApiToken({ orgId: org.orgId, name: "ci", scopes: ["setup:read"], expiresAt: new Date(Date.now() + DAY), createdBy: { id: userId, name: "A" } });
    const [first, second] = [await mint(deactivated.userId), await mint(demoted.userId)];
    const admin = await stepUp(ctx);
    await setUserActive(admin, deactivated.userId, false);
    await setUserActive(admin, deactivated.userId, true);
    await setUserRole(admin, demoted.userId, "STANDARD");
    await setUserRole(admin, demoted.userId, "ADMIN");
    expect(await refusal(apiRequest(first.secret))).toBe("revoked");
    expect(await refusal(apiRequest(second.secret))).toBe("revoked");
    const events = await db().securityEvent.findMany({ where: { orgId: org.orgId, type: "api_token.revoked" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.actorId, (e.data as { reason: string }).reason])).toEqual([
      [org.adminId, "creator-deactivated"],
      [org.adminId, "creator-demoted"],
    ]);
  });
});

describe("the operator's token:create", () => {
  it("makes a token of the system with the scopes and expiry named, audited", async () => {
    const org = await createOrg("Operator");
    const token = await createSystemToken({ orgSlug: org.slug, name: "bootstrap", scopes: ["settings:write", "users:grant-admin"], expiresInDays: 7 });
    const principal = await resolveApiToken(apiRequest(token.secret));
    expect(principal).toMatchObject({ orgId: org.orgId, createdById: null });
    expect([...principal.permissions].sort()).toEqual(["settings:write", "users:grant-admin"]);
    expect((await listApiTokens(org.admin))[0]).toMatchObject({ createdByName: "Command line", status: "active" });
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "api_token.created" } });
    expect(event).toMatchObject({ actorKind: "system", actorName: "Command line: token:create" });
  });

  it("refuses no scopes, no or too long an expiry, account:self and an unknown org", async () => {
    const org = await createOrg("OperatorBad");
    for (const input of [
      { orgSlug: org.slug, name: "x", scopes: [], expiresInDays: 7 },
      { orgSlug: org.slug, name: "x", scopes: ["setup:read"] },
      { orgSlug: org.slug, name: "x", scopes: ["setup:read"], expiresInDays: 367 },
      { orgSlug: org.slug, name: "x", scopes: ["account:self"], expiresInDays: 7 },
    ]) {
      expect(await rejectionOf(createSystemToken(input as never)), JSON.stringify(input)).toBeInstanceOf(UserFacingError);
    }
    expect(await rejectionOf(createSystemToken({ orgSlug: "no-such-org", name: "x", scopes: ["setup:read"], expiresInDays: 7 }))).toBeInstanceOf(NotFoundError);
    expect(await db().apiToken.count({ where: { orgId: org.orgId } })).toBe(0);
  });
});
