import crypto from "node:crypto";
import { proveMailbox as entryPointMailboxProof, stepUp } from "@/lib/auth/freshness";
import { registering } from "../support/step-up";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { ActionResult } from "@/lib/auth/action";
import type { EntryPoint } from "@/lib/auth/entry-point";
import { hasFreshAuth } from "@/lib/auth/freshness";
import type { AdminContext, OrgContext } from "@/lib/auth/org-context";
import { database, db } from "@/lib/db/client";
import { policyFromRow } from "@/lib/policy/rules";
import { formatDay } from "@/lib/validation/dates";
import { confirmAuthenticatorEnrolment, startAuthenticatorEnrolment } from "@/lib/verification/authenticator-app";
import { generateRecoveryCodes } from "@/lib/verification/recovery-codes";
import { base32Decode, stepAt, totpAt } from "@/lib/verification/totp";
import { finishKeyRegistration } from "@/lib/webauthn/registration";
import { createEndpoint, pauseEndpoint } from "@/lib/webhooks/endpoints";
import { mintApiToken } from "@/lib/api-tokens/tokens";
import { documentOf } from "@/lib/api/session-settings";
import { permissionsOf, type ApiHandler } from "@/lib/api/route";
import { TOKEN_GRANTABLE_PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { proveMailbox } from "../support/enrolment-proof";
import { contextOf, createOrg, createUser, inviteUser, signIn, TEST_PASSWORD } from "../support/factories";
import { activatedDeviceCookie } from "../support/login";
import { actAs, isForbiddenSignal } from "../support/next-request";
import { keyResponseFor, reauthenticate, setOrgSettings } from "../support/security-keys";

vi.mock("next/headers", async () => (await import("../support/next-request")).nextHeadersMock);
vi.mock("next/cache", async () => (await import("../support/next-request")).nextCacheMock);

useTestDatabase();

// Every entry point of the app — server actions (app/**/actions.ts), JSON
// routes (app/api/**/route.ts) and CSV exports (app/(app)/setup/*/export/route.ts)
// — is found from the source tree, not from a hand-kept list, and called as a
// browser would: by a session whose MFA enrolment is due, by a standard user,
// by another org's admin and signed out. Each must refuse the callers its
// `entryPoint` says it refuses, and a refusal must change nothing in the database.

const ROOT = path.resolve(import.meta.dirname, "../..");
const ORIGIN = "http://localhost:3000";

/** Route files that are not ours (next-auth's handler, the health check): excluded by exact path. */
const NOT_OURS = ["app/api/auth/[...nextauth]/route.ts", "app/api/health/route.ts"] as const;
/**
 * The embedded dev mailbox's HTML part: like the mailbox page, a read-only developer tool that
 * answers 404 unless the mailbox is on (loopback, no SMTP_URL); tests/integration/mailbox-page.test.ts.
 */
const DEV_TOOLS = ["app/dev/mailbox/html/route.ts"] as const;

const HTTP_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
/** Next's route segment config: the only non-handler exports a route.ts may have. */
const ROUTE_SEGMENT_CONFIG = new Set(["dynamic", "dynamicParams", "revalidate", "fetchCache", "runtime", "preferredRegion", "maxDuration"]);
const USE_SERVER = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use server["']/;

type Kind = EntryPoint["kind"];
type ActionFn = (input: unknown) => Promise<ActionResult<unknown>>;
type RouteFn = (req: Request) => Promise<Response>;

interface Endpoint {
  /** "file#export", the key of SAMPLES. */
  name: string;
  file: string;
  exportName: string;
  kind: Kind;
  entryPoint: EntryPoint;
  fn: ActionFn | RouteFn;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(rel) : [rel];
  });
}

/** The kind of entry point a file holds, by where it is; null for anything else (pages, layouts, components). */
function fileKind(file: string): Kind | "unclassified" | null {
  const base = path.posix.basename(file);
  if (/^actions\.[cm]?[jt]sx?$/.test(base)) return base === "actions.ts" ? "action" : "unclassified";
  if (!/^route\.[cm]?[jt]sx?$/.test(base)) return null;
  if (/^app\/\(app\)\/setup\/[^/]+\/export\/route\.ts$/.test(file)) return "export";
  // The Admin API (lib/api/route.ts): tokens only, checked in "Admin API entry points" below.
  if (/^app\/api\/v1\/.+\/route\.ts$/.test(file)) return "api";
  if (/^app\/api\/.+\/route\.ts$/.test(file)) return "route";
  return "unclassified";
}

/** The URL path a route file serves: route groups "(x)" are not part of it. */
function urlPathOf(file: string): string {
  return `/${file
    .split("/")
    .slice(1, -1)
    .filter((segment) => !/^\(.*\)$/.test(segment))
    .join("/")}`;
}

interface Inventory {
  endpoints: Endpoint[];
  /** Everything that breaks the rule "every export of an entry-point file is a wrapped entry point". */
  problems: string[];
}

let inventory: Promise<Inventory> | undefined;

/** Walks app/ and imports every entry-point file (once per test file). */
function entryPoints(): Promise<Inventory> {
  return (inventory ??= takeInventory());
}

async function takeInventory(): Promise<Inventory> {
  const files = filesUnder("app").sort();
  const problems: string[] = [];
  const endpoints: Endpoint[] = [];
  for (const file of [...NOT_OURS, ...DEV_TOOLS]) {
    if (!files.includes(file)) problems.push(`${file}: excluded, but it no longer exists (update NOT_OURS or DEV_TOOLS)`);
  }
  for (const file of files) {
    if ((NOT_OURS as readonly string[]).includes(file) || (DEV_TOOLS as readonly string[]).includes(file)) continue;
    const kind = fileKind(file);
    if (/\.[cm]?[jt]sx?$/.test(file) && kind !== "action" && USE_SERVER.test(fs.readFileSync(path.join(ROOT, file), "utf8"))) {
      problems.push(`${file}: a "use server" module that is not app/**/actions.ts`);
    }
    if (kind === null) continue;
    if (kind === "unclassified") {
      problems.push(`${file}: an entry-point file outside app/**/actions.ts, app/api/**/route.ts and app/(app)/setup/*/export/route.ts`);
      continue;
    }
    const mod = (await import(/* @vite-ignore */ path.join(ROOT, file))) as Record<string, unknown>;
    if (Object.keys(mod).length === 0) problems.push(`${file}: exports nothing`);
    for (const [exportName, value] of Object.entries(mod)) {
      const name = `${file}#${exportName}`;
      if (kind !== "action" && !HTTP_METHODS.has(exportName)) {
        if (!ROUTE_SEGMENT_CONFIG.has(exportName) || typeof value === "function")
          problems.push(`${name}: neither an HTTP method handler nor route segment config`);
        continue;
      }
      if (typeof value !== "function") {
        problems.push(`${name}: not a function`);
        continue;
      }
      const entryPoint = (value as { entryPoint?: EntryPoint }).entryPoint;
      if (!entryPoint) {
        problems.push(`${name}: no entryPoint (build it with orgAction, publicAction, orgRoute, pendingLoginRoute, publicRoute, orgExport or apiRoute)`);
        continue;
      }
      if (entryPoint.kind !== kind) problems.push(`${name}: entryPoint.kind is "${entryPoint.kind}" in a file of ${kind}s`);
      if (!["public", "pending-login", "user", "admin", "token"].includes(entryPoint.audience))
        problems.push(`${name}: unknown audience "${entryPoint.audience}"`);
      if (kind === "api" ? !["token", "public"].includes(entryPoint.audience) : entryPoint.audience === "token") {
        problems.push(`${name}: only Admin API routes (app/api/v1, apiRoute) take API tokens, and they take nothing else`);
      }
      if (typeof entryPoint.duringEnrolment !== "boolean") problems.push(`${name}: duringEnrolment is not a boolean`);
      if (kind === "export" && (exportName !== "GET" || entryPoint.audience !== "admin" || entryPoint.duringEnrolment)) {
        problems.push(`${name}: a CSV export must be an admin-only GET closed during enrolment (orgExport)`);
      }
      endpoints.push({ name, file, exportName, kind, entryPoint, fn: value as ActionFn | RouteFn });
    }
  }
  return { endpoints, problems };
}

// ---------------------------------------------------------------------------
// The org whose data the calls aim at, and the callers.

interface Victim {
  orgId: string;
  admin: AdminContext;
  adminId: string;
  adminToken: string;
  /** A standard user with a live session, a security key, a connected authenticator app, recovery codes and an activated browser. */
  member: { userId: string; username: string; sessionId: string; keyId: string; flaggedKeyId: string; suspendedKeyId: string; deviceId: string };
  /** A user who has not set a password yet. */
  invitee: { userId: string };
  /** Two webhook endpoints (Event Streams): one active, one paused. */
  webhooks: { activeId: string; pausedId: string };
  /** An API token the org's admin made. */
  apiTokenId: string;
}

interface Caller {
  userId: string;
  username: string;
  token: string;
  ctx: OrgContext;
  /** Another live session of the caller's own. */
  otherSessionId: string;
  /** The caller's own activated browser. */
  deviceId: string;
}

const hex = () => crypto.randomBytes(4).toString("hex");

/** An org with real data to aim at; with requireMfa, its users without a second factor are in enrolment. */
async function victimOrg({ requireMfa = false } = {}): Promise<Victim> {
  const org = await createOrg("Victim");
  await setOrgSettings(org.orgId, {});
  // The org's own admin proves it is them now, so the controls below fail for no reason but the one tested.
  await reauthenticate(org.admin);

  const member = await createUser(org.admin);
  const session = await signIn(member.userId);
  await reauthenticate(session.ctx);
  await generateRecoveryCodes(await stepUp(session.ctx));
  const key = await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);
  // A second key, flagged as a possible clone (for "Clear flag").
  const flagged = await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);
  await db().securityKey.update({ where: { id: flagged.id }, data: { flaggedAt: new Date() } });
  // A third key, suspended by a "This wasn't me" report (for "Restore" and "Remove" in admin recovery).
  const suspended = await finishKeyRegistration(await registering(session.ctx), (await keyResponseFor(session.ctx)).response);
  await db().securityKey.update({ where: { id: suspended.id }, data: { suspendedAt: new Date() } });
  const enrolment = await startAuthenticatorEnrolment(await registering(session.ctx));
  await confirmAuthenticatorEnrolment(await entryPointMailboxProof(session.ctx), totpAt(base32Decode(enrolment.secret), stepAt(new Date())));
  await activatedDeviceCookie(member.username);
  const device = await db().activatedDevice.findFirstOrThrow({ where: { userId: member.userId } });
  const invitee = await inviteUser(org.admin);
  // Port 9 on loopback (allowed outside production): nothing listens, a test ping fails at once.
  const endpoint = (description: string) => ({ url: "http://127.0.0.1:9/hook", description, eventTypes: [] });
  const webhooks = {
    activeId: (await createEndpoint(await stepUp(org.admin), endpoint("SIEM"))).endpointId,
    pausedId: (await createEndpoint(await stepUp(org.admin), endpoint("Paused"))).endpointId,
  };
  await pauseEndpoint(await stepUp(org.admin), webhooks.pausedId);
  const apiToken = await mintApiToken({
    orgId: org.orgId,
    name: "CI",
    scopes: ["setup:read"],
    expiresAt: new Date(Date.now() + 86_400_000),
    createdBy: { id: org.adminId, name: org.admin.userName },
  });

  if (requireMfa) await db().orgSettings.update({ where: { orgId: org.orgId }, data: { requireMfa: true, mfaRequiredFrom: null } });
  return {
    orgId: org.orgId,
    admin: org.admin,
    adminId: org.adminId,
    adminToken: org.adminToken,
    member: {
      userId: member.userId,
      username: member.username,
      sessionId: session.ctx.sessionId,
      keyId: key.id,
      flaggedKeyId: flagged.id,
      suspendedKeyId: suspended.id,
      deviceId: device.id,
    },
    invitee: { userId: invitee.userId },
    webhooks,
    apiTokenId: apiToken.id,
  };
}

/** A new user of an org with two sessions and an activated browser, who re-authenticated just now. */
async function newCaller(orgAdmin: AdminContext, role: "ADMIN" | "STANDARD"): Promise<Caller> {
  const user = await createUser(orgAdmin, role);
  const main = await signIn(user.userId);
  const other = await signIn(user.userId);
  await activatedDeviceCookie(user.username);
  const device = await db().activatedDevice.findFirstOrThrow({ where: { userId: user.userId } });
  await reauthenticate(main.ctx);
  return { userId: user.userId, username: user.username, token: main.token, ctx: main.ctx, otherSessionId: other.ctx.sessionId, deviceId: device.id };
}

/** The ids of the victim's records: an input holding one of these aims at the victim org. */
function victimIds(v: Victim): Set<string> {
  return new Set([
    v.orgId,
    v.adminId,
    v.member.userId,
    v.member.sessionId,
    v.member.keyId,
    v.member.flaggedKeyId,
    v.member.suspendedKeyId,
    v.member.deviceId,
    v.invitee.userId,
    v.webhooks.activeId,
    v.webhooks.pausedId,
    v.apiTokenId,
  ]);
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

// ---------------------------------------------------------------------------
// A valid input for every endpoint, from real ids of the victim org (or the
// caller's own records, for "own" actions). The first test fails when an
// endpoint has none, so a new one cannot be left out of the table.

type Sample = (victim: Victim, caller: Caller) => unknown;

const ADVANCED = "app/(app)/settings/advanced/actions.ts";
const USERS = "app/(app)/setup/users/actions.ts";
const SESSION_SETTINGS = "app/(app)/setup/session-settings/actions.ts";
const EVENT_STREAMS = "app/(app)/setup/event-streams/actions.ts";
const API_TOKENS = "app/(app)/setup/api-tokens/actions.ts";

/** Shaped like a browser's WebAuthn assertion (passes the schema); no key signed it. */
const ASSERTION_SHAPE = {
  id: "AAAAAAAAAAAAAAAA",
  rawId: "AAAAAAAAAAAAAAAA",
  type: "public-key",
  clientExtensionResults: {},
  response: { clientDataJSON: "AAAA", authenticatorData: "AAAA", signature: "AAAA" },
};

/** Session Settings as the victim org stores them, with a different idle timeout: a real change. */
async function sessionSettingsChange(v: Victim) {
  const p = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: v.orgId } }));
  return {
    version: p.version,
    allowSecurityKeys: p.allowSecurityKeys,
    requireMfa: p.requireMfa,
    mfaRequiredFrom: p.mfaRequiredFrom ? formatDay(p.mfaRequiredFrom) : "",
    allowTotp: p.allowTotp,
    requireDeviceActivation: p.requireDeviceActivation,
    reauthWindowMinutes: p.reauthWindowMinutes,
    userVerification: p.userVerification,
    authenticatorType: p.authenticatorType,
    allowedAaguids: [...p.allowedAaguids],
    blockedAaguids: [...p.blockedAaguids],
    sessionTimeoutMinutes: p.sessionTimeoutMinutes === 240 ? 480 : 240,
    lockSessionsToIp: p.lockSessionsToIp,
  };
}

const SAMPLES: Record<string, Sample> = {
  // Advanced User Details (any signed-in user, about their own account).
  [`${ADVANCED}#renameKeyAction`]: (v) => ({ keyId: v.member.keyId, name: "Renamed key" }),
  [`${ADVANCED}#removeKeyAction`]: (v) => ({ keyId: v.member.keyId }),
  [`${ADVANCED}#endOwnSessionAction`]: (_v, c) => ({ sessionId: c.otherSessionId }),
  [`${ADVANCED}#revokeOwnDeviceAction`]: (_v, c) => ({ deviceId: c.deviceId }),
  [`${ADVANCED}#generateRecoveryCodesAction`]: () => ({}),
  [`${ADVANCED}#startAuthenticatorAction`]: () => ({}),
  [`${ADVANCED}#confirmAuthenticatorAction`]: () => ({ code: "123456" }),
  [`${ADVANCED}#disconnectAuthenticatorAction`]: () => ({}),
  [`${ADVANCED}#sendEnrolmentCodeAction`]: () => ({}),
  [`${ADVANCED}#verifyEnrolmentCodeAction`]: () => ({ code: "123456" }),
  [`${ADVANCED}#changePasswordAction`]: () => ({ password: "a-brand-new-passphrase", confirmPassword: "a-brand-new-passphrase" }),
  // Setup > Users (admins).
  [`${USERS}#addUserAction`]: () => {
    const username = `added-${hex()}@victim.test`;
    return { name: "Added User", username, email: username, role: "STANDARD" };
  },
  [`${USERS}#setUserActiveAction`]: (v) => ({ userId: v.member.userId, active: "false" }),
  [`${USERS}#revokeSessionAction`]: (v) => ({ sessionId: v.member.sessionId, userId: v.member.userId }),
  [`${USERS}#resendInvitationAction`]: (v) => ({ userId: v.invitee.userId }),
  [`${USERS}#revokeUserDeviceAction`]: (v) => ({ deviceId: v.member.deviceId, userId: v.member.userId }),
  [`${USERS}#removeUserKeyAction`]: (v) => ({ userId: v.member.userId, keyId: v.member.keyId, reason: "Reported lost" }),
  [`${USERS}#clearKeyFlagAction`]: (v) => ({ userId: v.member.userId, keyId: v.member.flaggedKeyId }),
  [`${USERS}#restoreSuspendedFactorAction`]: (v) => ({ userId: v.member.userId, kind: "security-key", factorId: v.member.suspendedKeyId }),
  [`${USERS}#removeSuspendedFactorAction`]: (v) => ({ userId: v.member.userId, kind: "security-key", factorId: v.member.suspendedKeyId }),
  [`${USERS}#issueTemporaryCodeAction`]: (v) => ({ userId: v.member.userId, hours: "4" }),
  [`${USERS}#invalidateRecoveryCodesAction`]: (v) => ({ userId: v.member.userId }),
  [`${USERS}#disconnectUserAuthenticatorAction`]: (v) => ({ userId: v.member.userId }),
  [`${USERS}#setUserRoleAction`]: (v) => ({ userId: v.member.userId, role: "ADMIN" }),
  [`${USERS}#resetUserPasswordAction`]: (v) => ({ userId: v.member.userId }),
  // Setup > Session Settings (admins).
  [`${SESSION_SETTINGS}#saveSessionSettingsAction`]: (v) => sessionSettingsChange(v),
  [`${SESSION_SETTINGS}#previewSessionSettingsAction`]: (v) => sessionSettingsChange(v),
  // Setup > Event Streams (admins).
  [`${EVENT_STREAMS}#createEndpointAction`]: () => ({ url: "http://127.0.0.1:9/new", description: "New", eventTypes: ["user.created"] }),
  [`${EVENT_STREAMS}#updateEndpointAction`]: (v) => ({ endpointId: v.webhooks.activeId, description: "Changed", eventTypes: ["user.created"] }),
  [`${EVENT_STREAMS}#pauseEndpointAction`]: (v) => ({ endpointId: v.webhooks.activeId }),
  [`${EVENT_STREAMS}#resumeEndpointAction`]: (v) => ({ endpointId: v.webhooks.pausedId }),
  [`${EVENT_STREAMS}#replayEndpointAction`]: (v) => ({ endpointId: v.webhooks.activeId, from: new Date(Date.now() - 3_600_000).toISOString() }),
  [`${EVENT_STREAMS}#sendTestAction`]: (v) => ({ endpointId: v.webhooks.activeId }),
  [`${EVENT_STREAMS}#rotateSecretAction`]: (v) => ({ endpointId: v.webhooks.activeId }),
  [`${EVENT_STREAMS}#deleteEndpointAction`]: (v) => ({ endpointId: v.webhooks.activeId }),
  // Setup > API Tokens (admins).
  [`${API_TOKENS}#createApiTokenAction`]: () => ({ name: "Deploy", scopes: ["setup:read", "history:read"], expiresInDays: "30" }),
  [`${API_TOKENS}#revokeApiTokenAction`]: (v) => ({ tokenId: v.apiTokenId }),
  // CSV exports (admins): the query string.
  ["app/(app)/setup/audit-trail/export/route.ts#GET"]: () => ({}),
  ["app/(app)/setup/login-history/export/route.ts#GET"]: () => ({}),
  ["app/(app)/setup/verification-history/export/route.ts#GET"]: () => ({}),
  // Open to anyone.
  ["app/(auth)/set-password/[token]/actions.ts#setPasswordAction"]: () => ({
    token: "no-such-invitation-token",
    password: TEST_PASSWORD,
    confirmPassword: TEST_PASSWORD,
  }),
  ["app/(auth)/forgot-password/actions.ts#forgotPasswordAction"]: (v) => ({ username: v.member.username }),
  ["app/(auth)/wasnt-me/[token]/actions.ts#confirmCompromiseAction"]: () => ({ token: "no-such-report-token" }),
  ["app/(auth)/signup/actions.ts#startSignupAction"]: () => ({
    orgName: "Signup",
    slug: `signup-${hex()}`,
    name: "Signup Admin",
    email: `signup-${hex()}@signup.test`,
    password: TEST_PASSWORD,
  }),
  ["app/(auth)/signup/actions.ts#resendSignupCodeAction"]: () => ({}),
  ["app/(auth)/signup/actions.ts#completeSignupAction"]: () => ({ code: "123456" }),
  ["app/api/login/route.ts#POST"]: (_v, c) => ({ username: c.username, password: TEST_PASSWORD }),
  // Re-authentication and key registration (signed-in users).
  ["app/api/reauth/password/route.ts#POST"]: () => ({ password: TEST_PASSWORD }),
  ["app/api/reauth/key/route.ts#POST"]: () => ({ response: ASSERTION_SHAPE }),
  ["app/api/reauth/app/route.ts#POST"]: () => ({ token: "reauth-app-token", code: "123456" }),
  ["app/api/webauthn/register/options/route.ts#POST"]: () => ({}),
  ["app/api/webauthn/register/verify/route.ts#POST"]: async (_v, c) => ({ response: (await keyResponseFor(c.ctx)).response }),
  // /verify (a pending login).
  ["app/api/verify/email-code/route.ts#POST"]: () => ({ code: "123456" }),
  ["app/api/verify/email-code/send/route.ts#POST"]: () => ({}),
  ["app/api/verify/key/options/route.ts#POST"]: () => ({}),
  ["app/api/verify/key/route.ts#POST"]: () => ({ response: ASSERTION_SHAPE }),
  ["app/api/verify/one-time-code/route.ts#POST"]: () => ({ kind: "recovery-code", code: "abcd-efgh-ijkl" }),
};

/** The actions that prove the mailbox during MFA enrolment; every other first-factor endpoint needs that proof first. */
const MAILBOX_PROOF_ACTIONS = [`${ADVANCED}#sendEnrolmentCodeAction`, `${ADVANCED}#verifyEnrolmentCodeAction`];

/** The endpoints that declare "verify it's you" (a lapsed one is refused with fresh-auth-required before anything runs). */
const STEP_UP_ENDPOINTS = [
  `${ADVANCED}#changePasswordAction`,
  `${ADVANCED}#disconnectAuthenticatorAction`,
  `${ADVANCED}#generateRecoveryCodesAction`,
  `${ADVANCED}#removeKeyAction`,
  `${ADVANCED}#startAuthenticatorAction`,
  `${SESSION_SETTINGS}#saveSessionSettingsAction`,
  `${EVENT_STREAMS}#createEndpointAction`,
  `${EVENT_STREAMS}#deleteEndpointAction`,
  `${EVENT_STREAMS}#pauseEndpointAction`,
  `${EVENT_STREAMS}#rotateSecretAction`,
  `${EVENT_STREAMS}#updateEndpointAction`,
  `${API_TOKENS}#createApiTokenAction`,
  `${USERS}#clearKeyFlagAction`,
  `${USERS}#disconnectUserAuthenticatorAction`,
  `${USERS}#invalidateRecoveryCodesAction`,
  `${USERS}#issueTemporaryCodeAction`,
  `${USERS}#removeSuspendedFactorAction`,
  `${USERS}#removeUserKeyAction`,
  `${USERS}#resetUserPasswordAction`,
  `${USERS}#restoreSuspendedFactorAction`,
  `${USERS}#setUserActiveAction`,
  `${USERS}#setUserRoleAction`,
  "app/api/webauthn/register/options/route.ts#POST",
  "app/api/webauthn/register/verify/route.ts#POST",
].sort();

/** The endpoints that enrol a first factor, and so declare the mailbox proof. */
const MAILBOX_PROOF_ENDPOINTS = [
  `${ADVANCED}#confirmAuthenticatorAction`,
  `${ADVANCED}#startAuthenticatorAction`,
  "app/api/webauthn/register/options/route.ts#POST",
  "app/api/webauthn/register/verify/route.ts#POST",
].sort();

/** Admin actions that aim at no record (they act on the caller's own org as a whole): no cross-org case. */
const ORG_WIDE_ADMIN_ACTIONS = [
  `${EVENT_STREAMS}#createEndpointAction`,
  `${SESSION_SETTINGS}#previewSessionSettingsAction`,
  `${SESSION_SETTINGS}#saveSessionSettingsAction`,
  `${USERS}#addUserAction`,
  `${API_TOKENS}#createApiTokenAction`,
].sort();

// ---------------------------------------------------------------------------
// Calling an endpoint as a browser would, and what it answered.

function requestFor(endpoint: Endpoint, input: unknown): Request {
  const url = new URL(urlPathOf(endpoint.file), ORIGIN);
  if (endpoint.exportName === "GET" || endpoint.exportName === "HEAD") {
    for (const [name, value] of Object.entries(input as Record<string, string>)) url.searchParams.set(name, String(value));
    return new Request(url, { method: endpoint.exportName });
  }
  return new Request(url, { method: endpoint.exportName, body: JSON.stringify(input), headers: { "content-type": "application/json", origin: ORIGIN } });
}

/**
 * The answer in one line: an action's "ok", its error code ("signed-out",
 * "mfa-enrolment-required", "not-found"...) or "forbidden()" (Next's 403
 * signal); a route's HTTP status and the code of its JSON body.
 */
async function call(endpoint: Endpoint, input: unknown): Promise<string> {
  if (endpoint.kind === "action") {
    try {
      const result = await (endpoint.fn as ActionFn)(input);
      return result.ok ? "ok" : (result.code ?? `error: ${result.error}`);
    } catch (error) {
      if (isForbiddenSignal(error)) return "forbidden()";
      throw error;
    }
  }
  const response = await (endpoint.fn as RouteFn)(requestFor(endpoint, input));
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return `${response.status} ${type}`;
  const body = (await response.json()) as { ok?: boolean; code?: string; error?: string };
  return `${response.status} ${body.ok ? "ok" : (body.code ?? `error: ${body.error}`)}`;
}

/** What a refusal with `code` looks like from each kind of endpoint. */
function refusal(kind: Kind, code: "mfa-enrolment-required" | "forbidden" | "signed-out" | "not-found" | "fresh-auth-required"): string {
  if (kind === "action") return code === "forbidden" ? "forbidden()" : code;
  const status = { "mfa-enrolment-required": 403, forbidden: 403, "signed-out": 401, "not-found": 404, "fresh-auth-required": 401 }[code];
  return `${status} ${code}`;
}

async function sampleFor(endpoint: Endpoint, victim: Victim, caller: Caller): Promise<unknown> {
  const sample = SAMPLES[endpoint.name];
  if (!sample) throw new Error(`no sample input for ${endpoint.name} (add one to SAMPLES)`);
  return sample(victim, caller);
}

// ---------------------------------------------------------------------------
// "Nothing changed": row counts (the shared ones and those of every table the
// endpoints write) and every row of every table, but for lastSeenAt, which
// merely resolving a session may touch.

async function counts() {
  const [
    securityKeys,
    recoveryCodes,
    authenticatorApps,
    temporaryCodes,
    emailMessages,
    verificationEvents,
    orgSettings,
    invitationTokens,
    webAuthnChallenges,
    liveSessions,
    liveDevices,
  ] = await Promise.all([
    db().securityKey.count(),
    db().recoveryCode.count(),
    db().authenticatorApp.count(),
    db().temporaryCode.count(),
    db().emailMessage.count(),
    db().verificationEvent.count(),
    db().orgSettings.count(),
    db().invitationToken.count(),
    db().webAuthnChallenge.count(),
    db().session.count({ where: { revokedAt: null } }),
    db().activatedDevice.count({ where: { revokedAt: null } }),
  ]);
  return {
    ...(await tableCounts()),
    securityKeys,
    recoveryCodes,
    authenticatorApps,
    temporaryCodes,
    emailMessages,
    verificationEvents,
    orgSettings,
    invitationTokens,
    webAuthnChallenges,
    liveSessions,
    liveDevices,
  };
}

async function rows(): Promise<Record<string, string[]>> {
  const { raw } = database();
  const tables = await raw.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const found = await raw.query<{ row: string }>(`SELECT (to_jsonb(t) - 'lastSeenAt')::text AS row FROM "${name.replaceAll('"', '""')}" t`);
    out[name] = found.map((r) => r.row).sort();
  }
  return out;
}

type DbState = { counts: Awaited<ReturnType<typeof counts>>; rows: Record<string, string[]> };

async function dbState(): Promise<DbState> {
  return { counts: await counts(), rows: await rows() };
}

/** What changed between two states: counts "before → after" and, per table, the rows that appeared or went. {} when nothing did. */
function changesBetween(before: DbState, after: DbState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before.counts)) {
    const now = after.counts[key as keyof DbState["counts"]];
    if (now !== value) out[`count ${key}`] = `${value} → ${now}`;
  }
  for (const table of new Set([...Object.keys(before.rows), ...Object.keys(after.rows)])) {
    const was = new Set(before.rows[table] ?? []);
    const is = new Set(after.rows[table] ?? []);
    const added = [...is].filter((row) => !was.has(row));
    const removed = [...was].filter((row) => !is.has(row));
    if (added.length || removed.length) out[`rows ${table}`] = { added, removed };
  }
  return out;
}

/** Calls an endpoint and reports what it answered and what it changed. */
async function callAndWatch(endpoint: Endpoint, input: unknown): Promise<{ outcome: string; changes: Record<string, unknown> }> {
  const before = await dbState();
  const outcome = await call(endpoint, input);
  return { outcome, changes: changesBetween(before, await dbState()) };
}

const signedIn = (e: Endpoint) => e.entryPoint.audience === "user" || e.entryPoint.audience === "admin";
const isAdmin = (e: Endpoint) => e.entryPoint.audience === "admin";
const byName = (a: Endpoint, b: Endpoint) => a.name.localeCompare(b.name);

// ---------------------------------------------------------------------------

describe("entry points", () => {
  it("every export of every actions.ts and route.ts under app/ (but next-auth's and the health check) is a wrapped entry point", async () => {
    const { endpoints, problems } = await entryPoints();

    expect(problems).toEqual([]);
    const perKind = (kind: Kind) => endpoints.filter((e) => e.kind === kind).map((e) => e.name);
    // The walk found what is known to exist (so an empty or broken walk cannot pass).
    expect(perKind("action")).toEqual(
      expect.arrayContaining([`${USERS}#setUserRoleAction`, `${ADVANCED}#removeKeyAction`, "app/(auth)/signup/actions.ts#completeSignupAction"]),
    );
    expect(perKind("route")).toEqual(
      expect.arrayContaining(["app/api/login/route.ts#POST", "app/api/reauth/password/route.ts#POST", "app/api/webauthn/register/verify/route.ts#POST"]),
    );
    expect(perKind("export")).toEqual(expect.arrayContaining(["app/(app)/setup/audit-trail/export/route.ts#GET"]));
    expect(endpoints.map((e) => e.file)).not.toEqual(expect.arrayContaining([NOT_OURS[0]]));
    expect(endpoints.map((e) => e.file)).not.toEqual(expect.arrayContaining([NOT_OURS[1]]));

    // Every endpoint has a sample input, every admin action in particular, and no sample is left over from a removed one.
    // Admin API routes have their samples in API_SAMPLES ("Admin API entry points" below).
    const names = endpoints.filter((e) => e.kind !== "api").map((e) => e.name);
    expect(endpoints.filter((e) => e.kind === "action" && isAdmin(e) && !(e.name in SAMPLES)).map((e) => e.name)).toEqual([]);
    expect(names.filter((name) => !(name in SAMPLES))).toEqual([]);
    expect(Object.keys(SAMPLES).filter((name) => !names.includes(name))).toEqual([]);
  });

  it(
    "a session whose MFA enrolment is due (an admin's) is refused by every signed-in endpoint not open during enrolment, and nothing changes",
    { timeout: 240_000 },
    async () => {
      const { endpoints } = await entryPoints();
      const victim = await victimOrg({ requireMfa: true });
      const closed = endpoints.filter((e) => signedIn(e) && !e.entryPoint.duringEnrolment).sort(byName);
      expect(closed.length).toBeGreaterThan(0);

      // An admin of the org, with no second factor: enrolment is due, and the role is not why it is refused.
      const caller = await newCaller(victim.admin, "ADMIN");
      await actAs(caller.token);
      const observed: Record<string, string> = {};
      const changed: Record<string, unknown> = {};
      for (const endpoint of closed) {
        const ctx = await contextOf(caller.token);
        expect([ctx.role, ctx.mfa.enrolmentDue, await hasFreshAuth(ctx)], endpoint.name).toEqual(["ADMIN", true, true]);
        const { outcome, changes } = await callAndWatch(endpoint, await sampleFor(endpoint, victim, caller));
        observed[endpoint.name] = outcome;
        if (Object.keys(changes).length) changed[endpoint.name] = changes;
      }

      expect(observed).toEqual(Object.fromEntries(closed.map((e) => [e.name, refusal(e.kind, "mfa-enrolment-required")])));
      expect(changed).toEqual({});
    },
  );

  it("endpoints open during enrolment never answer mfa-enrolment-required to a session whose enrolment is due", { timeout: 240_000 }, async () => {
    const { endpoints } = await entryPoints();
    const victim = await victimOrg({ requireMfa: true });
    const open = endpoints.filter((e) => e.entryPoint.duringEnrolment).sort(byName);
    // Enrolment itself must stay possible: re-authentication and key registration are open.
    expect(open.map((e) => e.name)).toEqual(
      expect.arrayContaining([
        "app/api/reauth/password/route.ts#POST",
        "app/api/webauthn/register/options/route.ts#POST",
        "app/api/webauthn/register/verify/route.ts#POST",
      ]),
    );

    const observed: Record<string, string> = {};
    for (const endpoint of open) {
      // A new enrolling admin each time: these calls may succeed, and registering a key ends enrolment.
      const caller = await newCaller(victim.admin, "ADMIN");
      expect((await contextOf(caller.token)).mfa.enrolmentDue, endpoint.name).toBe(true);
      // A first key or app needs this session's mailbox proved by the emailed code (tests/integration/enrolment-proof.test.ts).
      if (!MAILBOX_PROOF_ACTIONS.includes(endpoint.name)) await proveMailbox(caller.ctx);
      await actAs(caller.token);
      observed[endpoint.name] = await call(endpoint, await sampleFor(endpoint, victim, caller));
    }

    expect(Object.entries(observed).filter(([, outcome]) => outcome.includes("mfa-enrolment-required"))).toEqual([]);
    // The signed-in ones among them let the enrolling user through (valid input, fresh re-authentication).
    expect(observed).toMatchObject({
      "app/api/reauth/password/route.ts#POST": "200 ok",
      "app/api/webauthn/register/options/route.ts#POST": "200 ok",
      "app/api/webauthn/register/verify/route.ts#POST": "200 ok",
      [`${ADVANCED}#startAuthenticatorAction`]: "ok",
      [`${ADVANCED}#sendEnrolmentCodeAction`]: "ok",
    });
  });

  it("a standard user is refused by every admin endpoint (forbidden), and nothing changes", { timeout: 120_000 }, async () => {
    const { endpoints } = await entryPoints();
    const victim = await victimOrg();
    const caller = await newCaller(victim.admin, "STANDARD");
    const ctx = await contextOf(caller.token);
    expect([ctx.role, ctx.mfa.enrolmentDue, await hasFreshAuth(ctx)]).toEqual(["STANDARD", false, true]);
    // Every admin endpoint of every kind: admin actions and CSV exports exist; admin JSON routes
    // (orgRoute with role ADMIN) may be none today, and any added later are in this table too.
    const admin = endpoints.filter(isAdmin).sort(byName);
    expect(new Set(admin.map((e) => e.kind))).toEqual(new Set(["action", "export", ...admin.filter((e) => e.kind === "route").map(() => "route")]));

    await actAs(caller.token);
    const observed: Record<string, string> = {};
    const changed: Record<string, unknown> = {};
    for (const endpoint of admin) {
      const { outcome, changes } = await callAndWatch(endpoint, await sampleFor(endpoint, victim, caller));
      observed[endpoint.name] = outcome;
      if (Object.keys(changes).length) changed[endpoint.name] = changes;
    }

    expect(observed).toEqual(Object.fromEntries(admin.map((e) => [e.name, refusal(e.kind, "forbidden")])));
    expect(changed).toEqual({});
  });

  it(
    "another org's admin gets not-found from every admin action given this org's ids, and nothing changes; this org's admin succeeds with the same input",
    { timeout: 240_000 },
    async () => {
      const { endpoints } = await entryPoints();
      const attackerOrg = await createOrg("Attacker");
      await setOrgSettings(attackerOrg.orgId, {});
      const attacker = await newCaller(attackerOrg.admin, "ADMIN");

      const adminActions = endpoints.filter((e) => e.kind === "action" && isAdmin(e)).sort(byName);
      const probe = await victimOrg();
      const aimsAtVictim = async (e: Endpoint) => stringsIn(await sampleFor(e, probe, attacker)).some((s) => victimIds(probe).has(s));
      const withIds: Endpoint[] = [];
      const orgWide: string[] = [];
      for (const e of adminActions) {
        if (await aimsAtVictim(e)) withIds.push(e);
        else orgWide.push(e.name);
      }
      // An admin action whose sample names no record of the victim must be one known to act on the org as a whole.
      expect(orgWide.sort()).toEqual(ORG_WIDE_ADMIN_ACTIONS);
      expect(withIds.length).toBeGreaterThan(0);

      const refused: Record<string, string> = {};
      const changedByRefusal: Record<string, unknown> = {};
      const control: Record<string, string> = {};
      const unchangedByControl: string[] = [];
      for (const endpoint of withIds) {
        // A fresh victim each time: the control call below really changes it.
        const victim = await victimOrg();
        const input = await sampleFor(endpoint, victim, attacker);
        expect((await contextOf(attacker.token)).mfa.enrolmentDue).toBe(false);
        expect(await hasFreshAuth(await contextOf(attacker.token)), "the attacker re-authenticated, so freshness is not why").toBe(true);

        await actAs(attacker.token);
        const attempt = await callAndWatch(endpoint, input);
        refused[endpoint.name] = attempt.outcome;
        if (Object.keys(attempt.changes).length) changedByRefusal[endpoint.name] = attempt.changes;

        // Control: the same input from the victim org's own admin is valid and does change something.
        await actAs(victim.adminToken);
        const own = await callAndWatch(endpoint, input);
        control[endpoint.name] = own.outcome;
        if (Object.keys(own.changes).length === 0) unchangedByControl.push(endpoint.name);
      }

      expect(refused).toEqual(Object.fromEntries(withIds.map((e) => [e.name, refusal(e.kind, "not-found")])));
      expect(changedByRefusal).toEqual({});
      expect(control).toEqual(Object.fromEntries(withIds.map((e) => [e.name, "ok"])));
      expect(unchangedByControl).toEqual([]);
    },
  );

  it("a session that did not verify recently is refused by every endpoint that declares step-up, and nothing changes", { timeout: 240_000 }, async () => {
    const { endpoints } = await entryPoints();
    const declared = endpoints.filter((e) => e.entryPoint.stepUp === true).sort(byName);
    // The declarations themselves: a sensitive endpoint that lost its step-up fails here, not only in review.
    expect(declared.map((e) => e.name)).toEqual(STEP_UP_ENDPOINTS);
    expect(endpoints.filter((e) => e.entryPoint.stepUp === "depends-on-input").map((e) => e.name)).toEqual([`${USERS}#addUserAction`]);
    expect(
      endpoints
        .filter((e) => e.entryPoint.mailboxProof)
        .map((e) => e.name)
        .sort(),
    ).toEqual(MAILBOX_PROOF_ENDPOINTS);

    const victim = await victimOrg();
    // An admin whose session is live but whose "verify it's you" has lapsed: the role is not why it is refused.
    const caller = await newCaller(victim.admin, "ADMIN");
    // The inputs first (a key's answer needs options, which need the step-up), then the step-up lapses.
    const inputs = new Map<string, unknown>();
    for (const endpoint of declared) inputs.set(endpoint.name, await sampleFor(endpoint, victim, caller));
    await db().session.updateMany({ where: { userId: caller.userId }, data: { freshAuthAt: null } });
    await actAs(caller.token);
    const observed: Record<string, string> = {};
    const changed: Record<string, unknown> = {};
    for (const endpoint of declared) {
      const { outcome, changes } = await callAndWatch(endpoint, inputs.get(endpoint.name));
      observed[endpoint.name] = outcome;
      if (Object.keys(changes).length) changed[endpoint.name] = changes;
    }
    expect(observed).toEqual(Object.fromEntries(declared.map((e) => [e.name, refusal(e.kind, "fresh-auth-required")])));
    expect(changed).toEqual({});
    // Granting Admin steps up; adding a standard user does not.
    const eve = `eve-${hex()}@victim.test`;
    const addUserAction = endpoints.find((e) => e.name === `${USERS}#addUserAction`)!;
    expect(await call(addUserAction, { name: "Eve", username: eve, email: eve, role: "ADMIN" })).toBe(refusal("action", "fresh-auth-required"));
    expect(await call(addUserAction, { name: "Eve", username: eve, email: eve, role: "STANDARD" })).toBe("ok");
  });

  it("a signed-out caller is refused by every signed-in endpoint (signed-out, 401), and nothing changes", { timeout: 120_000 }, async () => {
    const { endpoints } = await entryPoints();
    const victim = await victimOrg();
    // Whose records the "own" samples name; the calls themselves carry no session.
    const caller = await newCaller(victim.admin, "ADMIN");
    const closed = endpoints.filter(signedIn).sort(byName);

    const observed: Record<string, string> = {};
    const changed: Record<string, unknown> = {};
    for (const endpoint of closed) {
      const input = await sampleFor(endpoint, victim, caller);
      await actAs(null);
      const { outcome, changes } = await callAndWatch(endpoint, input);
      observed[endpoint.name] = outcome;
      if (Object.keys(changes).length) changed[endpoint.name] = changes;
    }

    expect(observed).toEqual(Object.fromEntries(closed.map((e) => [e.name, refusal(e.kind, "signed-out")])));
    expect(changed).toEqual({});
  });
});

// ---------------------------------------------------------------------------
// Admin API entry points (app/api/v1, lib/api/route.ts): API tokens only. Every
// route is called with a valid request of the victim org and a token that must
// not work: none, expired, revoked, its creator deactivated, lacking the
// route's permission, or another org's (for routes that name a record). Each is
// refused as the document says (401, 403, 404) and changes nothing but the
// token's own bookkeeping (last used, rate limit) and, for a missing scope, its
// audited refusal. The victim's own token then succeeds with the same request,
// so a refusal is never a broken sample.

interface ApiSample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

const API = "app/api/v1";

async function settingsSample(v: Victim, whole: boolean): Promise<ApiSample> {
  const p = policyFromRow(await db().orgSettings.findUnique({ where: { orgId: v.orgId } }));
  const timeout = p.sessionTimeoutMinutes === 240 ? 480 : 240;
  return { headers: { "if-match": `"${p.version}"` }, body: whole ? { ...documentOf(p), sessionTimeoutMinutes: timeout } : { sessionTimeoutMinutes: timeout } };
}

/** A valid request of each Admin API route, aimed at the victim org. */
const API_SAMPLES: Record<string, (v: Victim) => ApiSample | Promise<ApiSample>> = {
  [`${API}/session-settings/route.ts#GET`]: () => ({}),
  [`${API}/session-settings/route.ts#PUT`]: (v) => settingsSample(v, true),
  [`${API}/session-settings/route.ts#PATCH`]: (v) => settingsSample(v, false),
  [`${API}/users/route.ts#GET`]: () => ({ query: { limit: "5" } }),
  [`${API}/users/route.ts#POST`]: () => {
    const username = `api-${hex()}@victim.test`;
    return { body: { name: "API User", username, email: username, role: "STANDARD" } };
  },
  [`${API}/users/[id]/route.ts#GET`]: (v) => ({ params: { id: v.member.userId } }),
  [`${API}/users/[id]/deactivate/route.ts#POST`]: (v) => ({ params: { id: v.member.userId } }),
  [`${API}/users/[id]/reactivate/route.ts#POST`]: async (v) => {
    await db().user.update({ where: { id: v.invitee.userId }, data: { isActive: false } });
    return { params: { id: v.invitee.userId } };
  },
  [`${API}/users/[id]/reset-password/route.ts#POST`]: (v) => ({ params: { id: v.member.userId } }),
  [`${API}/users/[id]/end-sessions/route.ts#POST`]: (v) => ({ params: { id: v.member.userId } }),
  [`${API}/users/[id]/keys/route.ts#GET`]: (v) => ({ params: { id: v.member.userId } }),
  [`${API}/users/[id]/keys/[keyId]/route.ts#DELETE`]: (v) => ({ params: { id: v.member.userId, keyId: v.member.keyId }, query: { reason: "Reported lost" } }),
  [`${API}/users/[id]/temporary-codes/route.ts#POST`]: (v) => ({ params: { id: v.member.userId }, body: { hours: 2 } }),
  [`${API}/login-history/route.ts#GET`]: () => ({}),
  [`${API}/verification-history/route.ts#GET`]: () => ({}),
  [`${API}/audit-trail/route.ts#GET`]: () => ({}),
  [`${API}/events/route.ts#GET`]: () => ({ query: { limit: "5" } }),
};

function apiRequestFor(endpoint: Endpoint, sample: ApiSample, secret: string | null): Request {
  const { operation } = endpoint.fn as unknown as ApiHandler;
  const url = new URL(
    operation.path.replace(/\{(\w+)\}/g, (_, name: string) => sample.params?.[name] ?? ""),
    ORIGIN,
  );
  for (const [name, value] of Object.entries(sample.query ?? {})) url.searchParams.set(name, value);
  const headers: Record<string, string> = { "x-forwarded-for": "198.51.100.9", ...sample.headers };
  if (secret) headers.authorization = `Bearer ${secret}`;
  if (sample.body !== undefined) headers["content-type"] = "application/json";
  return new Request(url, { method: endpoint.exportName, headers, body: sample.body === undefined ? undefined : JSON.stringify(sample.body) });
}

/** "401 unauthorized": the status and the problem's slug (or "ok" for a success). */
async function callApi(endpoint: Endpoint, sample: ApiSample, secret: string | null): Promise<string> {
  const response = await (endpoint.fn as RouteFn)(apiRequestFor(endpoint, sample, secret));
  if (response.ok) return `${response.status < 300 ? "2xx" : response.status} ok`;
  const body = (await response.json()) as { type?: string };
  return `${response.status} ${String(body.type).replace("https://gatehouse.dev/problems/", "")}`;
}

/** What changed, but for the token's own bookkeeping and (a missing scope) its audited refusal. */
function apiChanges(before: DbState, after: DbState, auditedRefusal: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changesBetween(before, after))) {
    if (key === "count rateLimits" || key === "rows RateLimit" || key === "rows ApiToken") continue;
    if (auditedRefusal && (key === "count auditEvents" || key === "rows OrgEventCounter")) continue;
    if (auditedRefusal && (key === "rows SecurityEvent" || key === "rows AuditEvent")) {
      const { added, removed } = value as { added: string[]; removed: string[] };
      if (removed.length === 0 && added.every((row) => row.includes("scope_denied") || row.includes("API token refused: scope missing"))) continue;
    }
    out[key] = value;
  }
  return out;
}

/** Route files that act on the token's own org as a whole (no record of another org to name). */
const ORG_WIDE_API = [
  `${API}/session-settings/route.ts#GET`,
  `${API}/session-settings/route.ts#PUT`,
  `${API}/session-settings/route.ts#PATCH`,
  `${API}/users/route.ts#GET`,
  `${API}/users/route.ts#POST`,
  `${API}/login-history/route.ts#GET`,
  `${API}/verification-history/route.ts#GET`,
  `${API}/audit-trail/route.ts#GET`,
  `${API}/events/route.ts#GET`,
].sort();

const tokenOf = (orgId: string, createdBy: { id: string; name: string }, scopes: readonly Permission[], expiresAt = new Date(Date.now() + 86_400_000)) =>
  mintApiToken({ orgId, name: "probe", scopes, expiresAt, createdBy });

describe("Admin API entry points (API tokens)", () => {
  it("every Admin API route has a sample; the OpenAPI document is public and every other one is token-only", async () => {
    const { endpoints, problems } = await entryPoints();
    expect(problems).toEqual([]);
    const api = endpoints.filter((e) => e.kind === "api");
    expect(api.map((e) => e.name)).toEqual(expect.arrayContaining([`${API}/session-settings/route.ts#PUT`, `${API}/users/route.ts#GET`]));
    expect(api.filter((e) => e.entryPoint.audience === "public").map((e) => e.name)).toEqual([`${API}/openapi.json/route.ts#GET`]);
    const tokenOnly = api.filter((e) => e.entryPoint.audience === "token").map((e) => e.name);
    expect(tokenOnly.filter((name) => !(name in API_SAMPLES))).toEqual([]);
    expect(Object.keys(API_SAMPLES).filter((name) => !tokenOnly.includes(name))).toEqual([]);
  });

  it(
    "no token, an expired or revoked one, one whose creator was deactivated, one without the permission, another org's: refused, nothing changed; the org's own token succeeds",
    { timeout: 600_000 },
    async () => {
      const { endpoints } = await entryPoints();
      const api = endpoints.filter((e) => e.kind === "api" && e.entryPoint.audience === "token").sort(byName);
      const attackerOrg = await createOrg("Attacker");
      const attacker = await tokenOf(attackerOrg.orgId, { id: attackerOrg.adminId, name: "Attacker Admin" }, TOKEN_GRANTABLE_PERMISSIONS);

      const observed: Record<string, Record<string, string>> = {};
      const changed: Record<string, unknown> = {};
      const unchangedByControl: string[] = [];
      for (const endpoint of api) {
        const victim = await victimOrg();
        const creator = { id: victim.adminId, name: victim.admin.userName };
        const needed = permissionsOf((endpoint.fn as unknown as ApiHandler).operation);
        const full = await tokenOf(victim.orgId, creator, TOKEN_GRANTABLE_PERMISSIONS);
        const expired = await tokenOf(victim.orgId, creator, TOKEN_GRANTABLE_PERMISSIONS, new Date(Date.now() - 1000));
        const revoked = await tokenOf(victim.orgId, creator, TOKEN_GRANTABLE_PERMISSIONS);
        await db().apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date(), revokedByName: "Victim Admin" } });
        const lacking = await tokenOf(
          victim.orgId,
          creator,
          TOKEN_GRANTABLE_PERMISSIONS.filter((p) => !needed.includes(p)),
        );
        const otherAdmin = await createUser(victim.admin, "ADMIN");
        const orphaned = await tokenOf(victim.orgId, { id: otherAdmin.userId, name: "Other Admin" }, TOKEN_GRANTABLE_PERMISSIONS);
        await db().user.update({ where: { id: otherAdmin.userId }, data: { isActive: false } });

        const sample = await API_SAMPLES[endpoint.name]!(victim);
        const cases: [string, string | null, string][] = [
          ["no token", null, "401 unauthorized"],
          ["expired", expired.secret, "401 unauthorized"],
          ["revoked", revoked.secret, "401 unauthorized"],
          ["creator deactivated", orphaned.secret, "401 unauthorized"],
          ["missing scope", lacking.secret, "403 permission-denied"],
          ...(ORG_WIDE_API.includes(endpoint.name) ? [] : ([["another org's token", attacker.secret, "404 not-found"]] as [string, string, string][])),
        ];
        observed[endpoint.name] = {};
        for (const [name, secret, expected] of cases) {
          const before = await dbState();
          const outcome = await callApi(endpoint, sample, secret);
          observed[endpoint.name]![name] = outcome === expected ? "as documented" : outcome;
          const changes = apiChanges(before, await dbState(), name === "missing scope");
          if (Object.keys(changes).length) changed[`${endpoint.name} (${name})`] = changes;
        }
        // Control: the victim org's own token, same request.
        const before = await dbState();
        observed[endpoint.name]!.control = await callApi(endpoint, sample, full.secret);
        if (endpoint.exportName !== "GET" && Object.keys(apiChanges(before, await dbState(), false)).length === 0) unchangedByControl.push(endpoint.name);
      }

      expect(observed).toEqual(
        Object.fromEntries(
          api.map((e) => [
            e.name,
            {
              "no token": "as documented",
              expired: "as documented",
              revoked: "as documented",
              "creator deactivated": "as documented",
              "missing scope": "as documented",
              ...(ORG_WIDE_API.includes(e.name) ? {} : { "another org's token": "as documented" }),
              control: "2xx ok",
            },
          ]),
        ),
      );
      expect(changed).toEqual({});
      expect(unchangedByControl).toEqual([]);
    },
  );
});
