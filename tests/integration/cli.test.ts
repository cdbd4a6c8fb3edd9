import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/passwords/password";
import { db } from "@/lib/db/client";
import * as loginHistoryRoute from "@/app/api/v1/login-history/route";
import * as settingsRoute from "@/app/api/v1/session-settings/route";
import * as usersRoute from "@/app/api/v1/users/route";
import * as deactivateRoute from "@/app/api/v1/users/[id]/deactivate/route";
import * as keysRoute from "@/app/api/v1/users/[id]/keys/route";
import { hashApiTokenSecret } from "@/lib/api-tokens/format";
import { pathParams, type ApiHandler } from "@/lib/api/route";
import { systemPrincipal } from "@/lib/auth/principal";
import { completeInvitation } from "@/lib/users/invitations";
import type { CliIo } from "@/cli/io";
import { runCli } from "@/cli/program";
import { CONFIRM_PROMPT, STALE_SETTINGS } from "@/cli/admin/settings";
import { useTestDatabase } from "../support/database";
import { tableCounts } from "../support/db-state";
import { readOrgPolicy, setOrgPolicy, TEST_PASSWORD } from "../support/factories";

// The gatehouse CLI, run in process: operator commands against this file's
// database (as the system, through the services), admin commands against a
// fake Admin API that records every request. One spawn checks the real
// launcher (bin/gatehouse.mjs): help, and a usage error's exit code.

useTestDatabase();

const root = path.resolve(import.meta.dirname, "../..");
const TOKEN = "gatehouse_pat_testtokenthatmustneverbeprinted0000";
let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatehouse-cli-"));
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

interface RunOptions {
  env?: Record<string, string>;
  interactive?: boolean;
  answers?: string[];
  /** Answers prompts instead of `answers` (and may act while the command waits). */
  ask?: CliIo["ask"];
  fetch?: typeof fetch;
  sleep?: CliIo["sleep"];
  stop?: AbortController;
}

async function cli(argv: string[], options: RunOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  const stop = options.stop ?? new AbortController();
  const io: CliIo = {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text),
    env: options.env ?? {},
    cwd: workDir,
    interactive: options.interactive ?? false,
    ask: async (question) => {
      asked.push(question);
      return options.ask ? options.ask(question) : (answers.shift() ?? "");
    },
    fetch: options.fetch ?? globalThis.fetch,
    sleep: options.sleep ?? (async () => undefined),
    signal: stop.signal,
  };
  const code = await runCli(argv, io);
  return { code, stdout: out.join(""), stderr: err.join(""), asked };
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter += 1)}`;

async function newOrg() {
  const slug = `cli-${unique()}`;
  const result = await cli([
    "org:create",
    "--name",
    `Org ${slug}`,
    "--slug",
    slug,
    "--admin-email",
    `admin@${slug}.test`,
    "--admin-name",
    "Ada Admin",
    "--json",
  ]);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { orgId: string; slug: string; admin: { userId: string; username: string }; setPasswordLink: string };
}

describe("operator commands", () => {
  it("org:create makes the org and its admin, and prints the slug and a set-password link that works", async () => {
    const result = await cli(["org:create", "--name", "Initech Corp.", "--admin-email", "Peter@Initech.test", "--admin-name", "Peter Gibbons"]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("(slug: initech-corp)");
    const link = /https?:\/\/\S+\/set-password\/([A-Za-z0-9_-]+)/.exec(result.stdout);
    expect(link).not.toBeNull();
    const org = await db().org.findUniqueOrThrow({ where: { slug: "initech-corp" } });
    const admin = await db().user.findFirstOrThrow({ where: { orgId: org.id } });
    expect(admin).toMatchObject({ username: "peter@initech.test", role: "ADMIN", isActive: true, name: "Peter Gibbons" });
    const created = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.id, type: "org.created" } });
    expect(created).toMatchObject({ actorKind: "system", actorId: null, actorName: "Command line: org:create" });

    await completeInvitation(link![1]!, TEST_PASSWORD);
    const after = await db().user.findUniqueOrThrow({ where: { id: admin.id } });
    expect(await verifyPassword(TEST_PASSWORD, after.passwordHash!)).toBe(true);
  });

  it("org:create refuses a taken slug (exit 4) and a bad email (exit 2), naming the option, and creates nothing", async () => {
    const { slug } = await newOrg();
    const before = await tableCounts();

    const taken = await cli(["org:create", "--name", "Again", "--slug", slug, "--admin-email", `other-${unique()}@x.test`, "--admin-name", "Someone"]);
    expect(taken.code).toBe(4);
    expect(taken.stderr).toMatch(/^gatehouse org:create: --slug: This URL name is taken/);
    expect(taken.stdout).toBe("");

    const badEmail = await cli(["org:create", "--name", "Fresh", "--admin-email", "not-an-email", "--admin-name", "Someone"]);
    expect(badEmail.code).toBe(2);
    expect(badEmail.stderr).toContain("--admin-email: ");
    expect(badEmail.stderr.trim().split("\n")).toHaveLength(1);

    const missing = await cli(["org:create", "--name", "Fresh", "--admin-name", "Someone"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--admin-email");
    expect(await tableCounts()).toEqual(before);
  });

  it("user:create adds the user as the system, queues the invitation, and refuses a duplicate (4) or an unknown org (3)", async () => {
    const org = await newOrg();
    const email = `grace-${unique()}@example.test`;

    const result = await cli(["user:create", "--org", org.slug, "--email", email, "--name", "Grace Hopper", "--role", "admin"]);

    expect(result.code).toBe(0);
    const user = await db().user.findFirstOrThrow({ where: { orgId: org.orgId, username: email } });
    expect(user).toMatchObject({ role: "ADMIN", passwordHash: null });
    expect(await db().emailMessage.count({ where: { to: email, template: "set-password" } })).toBe(1);
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "user.created", targetUserId: user.id } });
    expect(event).toMatchObject({ actorKind: "system", actorName: "Command line: user:create" });

    const again = await cli(["user:create", "--org", org.slug, "--email", email, "--name", "Grace Again"]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("--email: Someone in your org already has this username.");

    const nowhere = await cli(["user:create", "--org", "no-such-org", "--email", email, "--name", "Grace"]);
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).toContain("--org: no org with the slug no-such-org");

    const badRole = await cli(["user:create", "--org", org.slug, "--email", `x-${email}`, "--name", "X", "--role", "owner"]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("--role");
  });

  it("token:create prints only the secret on stdout, stores its hash with the system as creator, and needs explicit scopes and expiry", async () => {
    const org = await newOrg();

    const result = await cli(["token:create", "--org", org.slug, "--name", "ci", "--scopes", "setup:read,settings:write", "--expires", "30"]);

    expect(result.code).toBe(0);
    const secret = result.stdout.trim();
    expect(secret).toMatch(/^gatehouse_pat_\S+$/);
    expect(result.stderr).toContain("never shown again");
    expect(result.stderr).not.toContain(secret);
    const row = await db().apiToken.findUniqueOrThrow({ where: { secretHash: hashApiTokenSecret(secret) } });
    expect(row).toMatchObject({ orgId: org.orgId, name: "ci", createdById: null, scopes: expect.arrayContaining(["setup:read", "settings:write"]) });
    const days = (row.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const before = await db().apiToken.count();
    const noScopes = await cli(["token:create", "--org", org.slug, "--name", "ci", "--expires", "30"]);
    expect(noScopes.code).toBe(2);
    expect(noScopes.stderr).toContain("--scopes");
    const badScope = await cli(["token:create", "--org", org.slug, "--name", "ci", "--scopes", "setup:read,root", "--expires", "30"]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('--scopes: no scope "root"');
    const tooLong = await cli(["token:create", "--org", org.slug, "--name", "ci", "--scopes", "setup:read", "--expires", "400"]);
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("--expires");
    const nowhere = await cli(["token:create", "--org", "no-such-org", "--name", "ci", "--scopes", "setup:read", "--expires", "30"]);
    expect(nowhere.code).toBe(3);
    expect(await db().apiToken.count()).toBe(before);
  });

  it("user:recover prints a temporary code as the old script did, and fails with the reason for an unknown user", async () => {
    const org = await newOrg();

    const result = await cli(["user:recover", "--org", org.slug, "--username", org.admin.username, "--hours", "2"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Temporary verification code for ${org.admin.username}: \\S+\\n`));
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "user.temporary_code.issued" } });
    expect(event.actorName).toBe("Command line: user:recover");

    const unknown = await cli(["user:recover", "--org", org.slug, "--username", "nobody@nowhere.test"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^gatehouse user:recover: No user nobody@nowhere.test/);
    const badHours = await cli(["user:recover", "--org", org.slug, "--username", org.admin.username, "--hours", "48"]);
    expect(badHours.code).toBe(2);
    expect(badHours.stderr).toContain("--hours");
  });

  it("mds:update keeps its own usage exit code", async () => {
    const result = await cli(["mds:update"], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^mds:update: FIDO_MDS_FILE is not set/);
  });
});

describe("the launcher (bin/gatehouse.mjs)", () => {
  it("prints help with the exit codes, and exits 2 on a usage error naming the option", () => {
    const help = spawnSync(process.execPath, [path.join(root, "bin", "gatehouse.mjs"), "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(help.status).toBe(0);
    for (const command of ["org:create", "user:create", "token:create", "user:recover", "mds:update", "settings", "users", "keys", "history", "events"]) {
      expect(help.stdout).toContain(command);
    }
    expect(help.stdout).toContain("Exit codes:");
    expect(help.stdout).toContain("GATEHOUSE_TOKEN");

    const usage = spawnSync(process.execPath, [path.join(root, "bin", "gatehouse.mjs"), "org:create", "--name", "Acme"], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, PGLITE_DATA_DIR: "memory://", DATABASE_URL: "" },
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("--admin-email");
    expect(usage.stdout).toBe("");
  }, 120_000);
});

// The fake Admin API: every request is recorded; each test says how it answers.

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

let server: http.Server;
let baseUrl: string;
let requests: Recorded[] = [];
let answer: (request: Recorded) => Answer = () => ({ status: 500 });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const recorded: Recorded = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(recorded);
      const { status, body, headers = {} } = answer(recorded);
      const type = status >= 400 ? "application/problem+json" : "application/json";
      res.writeHead(status, { "content-type": type, ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = [];
  answer = () => ({ status: 500 });
});

const env = () => ({ GATEHOUSE_URL: baseUrl, GATEHOUSE_TOKEN: TOKEN });
const problem = (status: number, title: string, errors?: { field: string; message: string }[]) => ({
  status,
  body: { type: `https://gatehouse.dev/problems/x`, title, status, detail: title, ...(errors ? { errors } : {}) },
});

const SETTINGS = { allowSecurityKeys: false, sessionTimeoutMinutes: 120, lockSessionsToIp: false };
const DRY_RUN = {
  changes: [{ field: "allowSecurityKeys", label: "Let users verify their identity with a physical security key (U2F)", old: false, new: true }],
  warnings: [{ code: "users-left-without-method", message: "3 users would be left without a verification method." }],
};

/** A settings endpoint at version 7: GET, dry run and write, each recorded. */
function settingsServer(overrides: { dryRun?: Answer; write?: Answer } = {}) {
  answer = (request) => {
    if (request.path !== "/api/v1/session-settings") return problem(404, "Not found");
    if (request.method === "GET") return { status: 200, body: SETTINGS, headers: { etag: '"7"' } };
    if (request.method === "PUT" && request.query.get("dry_run") === "true") return overrides.dryRun ?? { status: 200, body: DRY_RUN };
    if (request.method === "PUT") return overrides.write ?? { status: 200, body: { settings: SETTINGS, ...DRY_RUN }, headers: { etag: '"8"' } };
    return problem(405, "Method not allowed");
  };
}

function writeFile(name: string, content: string): string {
  fs.writeFileSync(path.join(workDir, name), content);
  return name;
}

const puts = () => requests.filter((r) => r.method === "PUT");
const writes = () => puts().filter((r) => r.query.get("dry_run") !== "true");

function expectNoTokenIn(...texts: string[]) {
  for (const text of texts) expect(text).not.toContain(TOKEN);
}

describe("admin commands against the Admin API", () => {
  it("settings get prints the document, sending the token only as a bearer header", async () => {
    settingsServer();
    const result = await cli(["settings", "get"], { env: env() });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(SETTINGS);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectNoTokenIn(result.stdout, result.stderr);
  });

  it("settings apply --yes: reads the ETag, dry-runs with If-Match, shows the diff and warnings, then writes with the same If-Match", async () => {
    settingsServer();
    const file = writeFile("apply.json", JSON.stringify({ ...SETTINGS, allowSecurityKeys: true }));

    const result = await cli(["settings", "apply", file, "--yes"], { env: env() });

    expect(result.code).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.query.get("dry_run") ?? ""}`)).toEqual(["GET ", "PUT true", "PUT "]);
    for (const put of puts()) {
      expect(put.headers["if-match"]).toBe('"7"');
      expect(JSON.parse(put.body)).toEqual({ ...SETTINGS, allowSecurityKeys: true });
    }
    expect(result.stdout).toContain("Let users verify their identity with a physical security key (U2F) (allowSecurityKeys): false → true");
    expect(result.stdout).toContain("3 users would be left without a verification method.");
    expect(result.stdout).toContain("Applied 1 change.");
    expect(result.asked).toEqual([]);
    expectNoTokenIn(result.stdout, result.stderr);
  });

  it("settings apply asks, and writes nothing when the answer is not yes", async () => {
    settingsServer();
    const file = writeFile("decline.json", JSON.stringify({ ...SETTINGS, allowSecurityKeys: true }));

    const declined = await cli(["settings", "apply", file], { env: env(), interactive: true, answers: ["n"] });

    expect(declined.asked).toEqual([CONFIRM_PROMPT]);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("Nothing applied.");
    expect(puts()).toHaveLength(1);
    expect(writes()).toHaveLength(0);

    requests = [];
    const accepted = await cli(["settings", "apply", file], { env: env(), interactive: true, answers: ["y"] });
    expect(accepted.code).toBe(0);
    expect(writes()).toHaveLength(1);
  });

  it("settings apply without a terminal and without --yes exits 2 before any request", async () => {
    settingsServer();
    const file = writeFile("noterminal.json", JSON.stringify(SETTINGS));

    const result = await cli(["settings", "apply", file], { env: env(), interactive: false });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--yes");
    expect(requests).toHaveLength(0);
  });

  it("settings apply --dry-run shows the changes and writes nothing; no changes means no write", async () => {
    settingsServer();
    const file = writeFile("dry.json", JSON.stringify({ ...SETTINGS, allowSecurityKeys: true }));
    const dry = await cli(["settings", "apply", file, "--dry-run", "--json"], { env: env() });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual({ ...DRY_RUN, applied: false });
    expect(writes()).toHaveLength(0);

    requests = [];
    settingsServer({ dryRun: { status: 200, body: { changes: [], warnings: [] } } });
    const same = await cli(["settings", "apply", file, "--yes"], { env: env() });
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("No changes");
    expect(writes()).toHaveLength(0);
  });

  it("settings apply: a 412 on the write (or the dry run) exits 4 with the reason", async () => {
    const file = writeFile("stale.json", JSON.stringify({ ...SETTINGS, allowSecurityKeys: true }));
    settingsServer({ write: problem(412, "The resource changed since it was read") });
    const onWrite = await cli(["settings", "apply", file, "--yes"], { env: env() });
    expect(onWrite.code).toBe(4);
    expect(onWrite.stderr).toBe(`gatehouse settings apply: ${STALE_SETTINGS}\n`);

    settingsServer({ dryRun: problem(412, "The resource changed since it was read") });
    requests = [];
    const onDryRun = await cli(["settings", "apply", file, "--yes"], { env: env() });
    expect(onDryRun.code).toBe(4);
    expect(writes()).toHaveLength(0);
  });

  it("settings apply: the server's field errors (out of range, unknown field) are printed by field, exit 2, nothing written", async () => {
    const file = writeFile("bad-values.json", JSON.stringify({ ...SETTINGS, sessionTimeoutMinutes: 7, sessionTimeout: 3 }));
    settingsServer({
      dryRun: problem(400, "The request is not valid", [
        { field: "sessionTimeoutMinutes", message: "Choose a timeout between 15 minutes and 24 hours." },
        { field: "sessionTimeout", message: "Unknown field: sessionTimeout." },
      ]),
    });

    const result = await cli(["settings", "apply", file, "--yes"], { env: env() });

    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toBe("gatehouse settings apply: bad-values.json: The request is not valid (nothing was changed)");
    expect(lines.slice(1)).toEqual([
      "  sessionTimeoutMinutes: Choose a timeout between 15 minutes and 24 hours.",
      "  sessionTimeout: Unknown field: sessionTimeout.",
    ]);
    expect(writes()).toHaveLength(0);
  });

  it("settings apply: an unreadable file, bad JSON or a non-object exits 2 naming the file, before any request", async () => {
    settingsServer();
    const missing = await cli(["settings", "apply", "missing.json", "--yes"], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.json: cannot read it (ENOENT)");

    const broken = await cli(["settings", "apply", writeFile("broken.json", '{ "allowSecurityKeys": tru }'), "--yes"], { env: env() });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^gatehouse settings apply: broken\.json: not valid JSON/);

    const list = await cli(["settings", "apply", writeFile("list.json", "[]"), "--yes"], { env: env() });
    expect(list.code).toBe(2);
    expect(list.stderr).toContain("list.json: a settings document is one JSON object");
    expect(requests).toHaveLength(0);
  });

  it("admin commands need a server and a token (exit 2); a refused token exits 5, a missing user 3", async () => {
    const noUrl = await cli(["settings", "get"], { env: { GATEHOUSE_TOKEN: TOKEN } });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("GATEHOUSE_URL");
    const noToken = await cli(["settings", "get"], { env: { GATEHOUSE_URL: baseUrl } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("GATEHOUSE_TOKEN");
    expect(requests).toHaveLength(0);

    answer = () => problem(401, "A valid API token is required");
    const refused = await cli(["settings", "get", "--url", baseUrl, "--token", TOKEN]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain("A valid API token is required");
    expectNoTokenIn(refused.stdout, refused.stderr);

    answer = () => problem(403, "The token lacks the permission this needs");
    expect((await cli(["users", "list"], { env: env() })).code).toBe(5);

    answer = () => problem(404, "Not found");
    const missing = await cli(["keys", "list", "0b7e7a4e-8a0f-4a57-9a43-2f1f0a3c6d11"], { env: env() });
    expect(missing.code).toBe(3);
  });

  it("users list follows the cursor and sends the filters", async () => {
    const user = (n: number) => ({
      id: `00000000-0000-4000-8000-00000000000${n}`,
      name: `User ${n}`,
      username: `u${n}@acme.test`,
      email: `u${n}@acme.test`,
      role: "ADMIN",
      active: true,
      methods: { securityKeys: 1, flaggedSecurityKeys: 0, authenticatorApp: false, recoveryCodes: 0 },
    });
    answer = (request) =>
      request.query.get("cursor") === "page-2"
        ? { status: 200, body: { items: [user(3)], nextCursor: null } }
        : { status: 200, body: { items: [user(1), user(2)], nextCursor: "page-2" } };

    const result = await cli(["users", "list", "--active", "--role", "admin", "--has-key", "--method", "security-key", "--json"], { env: env() });

    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { username: string }[]).map((u) => u.username)).toEqual(["u1@acme.test", "u2@acme.test", "u3@acme.test"]);
    expect(requests).toHaveLength(2);
    expect(Object.fromEntries(requests[0]!.query)).toMatchObject({ active: "true", role: "ADMIN", hasKey: "true", method: "security-key" });
    expect(requests[1]!.query.get("cursor")).toBe("page-2");

    const table = await cli(["users", "list"], { env: env() });
    expect(table.stdout).toMatch(/u3@acme\.test\s+User 3\s+ADMIN\s+Active\s+1 key/);

    requests = [];
    const bad = await cli(["users", "list", "--method", "carrier-pigeon"], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--method");
    expect(requests).toHaveLength(0);
  });

  it("users deactivate finds the user by email; keys list and keys remove name the key", async () => {
    const id = "0b7e7a4e-8a0f-4a57-9a43-2f1f0a3c6d11";
    answer = (request) => {
      if (request.method === "GET" && request.path === "/api/v1/users")
        return { status: 200, body: { items: [{ id, username: "grace@acme.test", email: "grace@acme.test" }], nextCursor: null } };
      if (request.method === "POST" && request.path === `/api/v1/users/${id}/deactivate`)
        return { status: 200, body: { id, username: "grace@acme.test", active: false } };
      if (request.method === "GET" && request.path === `/api/v1/users/${id}/keys`) {
        return {
          status: 200,
          body: {
            items: [
              {
                id: "key-1",
                name: "YubiKey 5",
                model: "YubiKey 5 NFC",
                verified: true,
                addedAt: "2026-11-30T10:00:00Z",
                lastUsedAt: null,
                flagged: false,
                suspended: false,
              },
            ],
          },
        };
      }
      if (request.method === "DELETE" && request.path === `/api/v1/users/${id}/keys/key-1`) return { status: 204 };
      return problem(404, "Not found");
    };

    const deactivated = await cli(["users", "deactivate", "Grace@Acme.test"], { env: env() });
    expect(deactivated.code).toBe(0);
    expect(deactivated.stdout).toContain("Deactivated grace@acme.test");
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v1/users", `POST /api/v1/users/${id}/deactivate`]);

    const keys = await cli(["keys", "list", id], { env: env() });
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/key-1\s+YubiKey 5\s+YubiKey 5 NFC \(verified\)\s+30 Nov 2026, 10:00 UTC\s+Never/);

    requests = [];
    const removed = await cli(["keys", "remove", id, "key-1", "--reason", "Lost on the train"], { env: env() });
    expect(removed.code).toBe(0);
    expect(requests[0]!.method).toBe("DELETE");
    expect(requests[0]!.query.get("reason")).toBe("Lost on the train");

    const unknown = await cli(["users", "deactivate", "nobody@acme.test"], { env: env() });
    expect(unknown.code).toBe(3);
  });

  it("a refusal with a detail but no field errors is one line (422 → exit 4)", async () => {
    answer = () => ({ status: 422, body: { type: "x", title: "The request cannot be carried out", status: 422, detail: "You can't deactivate yourself." } });
    const result = await cli(["users", "deactivate", "0b7e7a4e-8a0f-4a57-9a43-2f1f0a3c6d11"], { env: env() });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe("gatehouse users deactivate: The request cannot be carried out: You can't deactivate yourself.\n");
  });

  it("history login --since 7d asks from seven days ago and follows the cursor", async () => {
    answer = (request) =>
      request.query.get("cursor")
        ? {
            status: 200,
            body: {
              items: [{ id: "b", at: "2026-12-01T09:00:00Z", username: "b@acme.test", result: "Success", ip: "203.0.113.9", userAgent: null }],
              nextCursor: null,
            },
          }
        : {
            status: 200,
            body: {
              items: [{ id: "a", at: "2026-12-02T09:00:00Z", username: "a@acme.test", result: "Success", ip: null, userAgent: null }],
              nextCursor: "older",
            },
          };

    const result = await cli(["history", "login", "--since", "7d"], { env: env() });

    expect(result.code).toBe(0);
    const since = new Date(requests[0]!.query.get("since")!).getTime();
    expect(Math.abs(Date.now() - 7 * 86_400_000 - since)).toBeLessThan(60_000);
    expect(requests[1]!.query.get("since")).toBe(requests[0]!.query.get("since"));
    expect(result.stdout).toContain("a@acme.test");
    expect(result.stdout).toContain("b@acme.test");

    const bad = await cli(["history", "login", "--since", "last tuesday"], { env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since");
  });

  it("events tail prints one JSON line per event and polls on from the last cursor until stopped", async () => {
    const event = (seq: number) => ({ id: `evt-${seq}`, seq, type: "user.login.succeeded" });
    answer = (request) => {
      const after = request.query.get("after");
      if (after === null) return { status: 200, body: { items: [event(1), event(2)], nextCursor: "c2" } };
      if (after === "c2" && requests.filter((r) => r.query.get("after") === "c2").length === 1) return { status: 200, body: { items: [], nextCursor: "c2" } };
      if (after === "c2") return { status: 200, body: { items: [event(3)], nextCursor: "c3" } };
      return { status: 200, body: { items: [], nextCursor: after } };
    };
    const stop = new AbortController();
    let sleeps = 0;
    const sleep = async () => {
      sleeps += 1;
      if (sleeps === 2) stop.abort();
    };

    const result = await cli(["events", "tail", "--interval", "1"], { env: env(), sleep, stop });

    expect(result.code).toBe(0);
    expect(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([1, 2, 3]);
    expect(requests.map((r) => r.query.get("after"))).toEqual([null, "c2", "c2", "c3"]);
    expect(result.stderr).toContain("continue with --after c3");

    requests = [];
    const once = await cli(["events", "tail", "--once", "--after", "c3", "--types", "user.login.succeeded"], { env: env() });
    expect(once.code).toBe(0);
    expect(once.stdout).toBe("");
    expect(requests).toHaveLength(1);
    expect(requests[0]!.query.get("types")).toBe("user.login.succeeded");
  });

  it("events tail waits out a server error, and stops at a refusal (a cursor past retention: 410 → exit 4)", async () => {
    let calls = 0;
    answer = () => {
      calls += 1;
      if (calls === 1) return { ...problem(503, "Gatehouse is busy"), headers: { "retry-after": "5" } };
      if (calls === 2) return { status: 200, body: { items: [{ id: "evt-9", seq: 9 }], nextCursor: "c9" } };
      return problem(410, "The cursor is past the events' retention");
    };
    const waits: number[] = [];

    const result = await cli(["events", "tail"], { env: env(), sleep: async (ms) => void waits.push(ms) });

    expect(result.code).toBe(4);
    expect(waits).toEqual([5_000]);
    expect(result.stdout).toBe('{"id":"evt-9","seq":9}\n');
    expect(result.stderr).toContain("Gatehouse is busy; retrying in 5 s");
    expect(result.stderr).toContain("The cursor is past the events' retention");
  });
});

// The same commands against the real Admin API route handlers (app/api/v1), in
// process: a token made with token:create, the settings-as-code loop, and bad
// input refused by the server with the field named and nothing changed.

const REAL_ROUTES: Record<string, Record<string, unknown>> = {
  "/api/v1/session-settings": settingsRoute,
  "/api/v1/users": usersRoute,
  "/api/v1/users/{id}/deactivate": deactivateRoute,
  "/api/v1/users/{id}/keys": keysRoute,
  "/api/v1/login-history": loginHistoryRoute,
};

const realApi = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  const { pathname } = new URL(request.url);
  for (const [template, routes] of Object.entries(REAL_ROUTES)) {
    if (!pathParams(template, pathname)) continue;
    const handler = routes[request.method] as ApiHandler | undefined;
    return handler ? handler(request) : new Response(null, { status: 405 });
  }
  return new Response(null, { status: 404 });
}) as typeof fetch;

describe("admin commands against the real Admin API routes", () => {
  async function setUp() {
    const org = await newOrg();
    const made = await cli([
      "token:create",
      "--org",
      org.slug,
      "--name",
      "cli-test",
      "--scopes",
      "setup:read,settings:write,users:write,history:read",
      "--expires",
      "1",
    ]);
    expect(made.code).toBe(0);
    const run = (argv: string[], options: RunOptions = {}) =>
      cli(argv, { env: { GATEHOUSE_URL: "http://localhost:3000", GATEHOUSE_TOKEN: made.stdout.trim() }, fetch: realApi, ...options });
    return { org, run };
  }

  it("settings get > file, edit, settings apply: the change is saved and audited with the token as actor", async () => {
    const { org, run } = await setUp();
    const read = await run(["settings", "get"]);
    expect(read.code).toBe(0);
    const document = JSON.parse(read.stdout) as Record<string, unknown>;
    const before = await readOrgPolicy(org.orgId);
    expect(document.sessionTimeoutMinutes).toBe(before.sessionTimeoutMinutes);
    const timeout = before.sessionTimeoutMinutes === 60 ? 240 : 60;
    const file = writeFile(`real-${org.slug}.json`, JSON.stringify({ ...document, sessionTimeoutMinutes: timeout }, null, 2));

    const applied = await run(["settings", "apply", file, "--yes"]);

    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain(`(sessionTimeoutMinutes): ${before.sessionTimeoutMinutes} → ${timeout}`);
    expect((await readOrgPolicy(org.orgId)).sessionTimeoutMinutes).toBe(timeout);
    const event = await db().securityEvent.findFirstOrThrow({ where: { orgId: org.orgId, type: "settings.updated" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorKind: "api-token", actorName: 'API token "cli-test"' });

    const again = await run(["settings", "apply", file, "--yes"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes");
  });

  it("an out-of-range value, an unknown field and a missing field each exit 2 naming the field, and change nothing", async () => {
    const { org, run } = await setUp();
    const document = JSON.parse((await run(["settings", "get"])).stdout) as Record<string, unknown>;
    const before = await readOrgPolicy(org.orgId);
    const { lockSessionsToIp: _dropped, ...missingOne } = document;
    const cases: [string, Record<string, unknown>, string][] = [
      ["range", { ...document, reauthWindowMinutes: 999 }, "reauthWindowMinutes"],
      ["unknown", { ...document, sessionTimeout: 60 }, "sessionTimeout"],
      ["missing", missingOne, "lockSessionsToIp"],
    ];
    for (const [name, content, field] of cases) {
      const result = await run(["settings", "apply", writeFile(`${name}-${org.slug}.json`, JSON.stringify(content)), "--yes"]);
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(new RegExp(`^  ${field}: `, "m"));
      expect(result.stdout, name).toBe("");
    }
    expect(await readOrgPolicy(org.orgId)).toEqual(before);
  });

  it("a save made while the admin is deciding wins: the apply exits 4 and writes nothing", async () => {
    const { org, run } = await setUp();
    const document = JSON.parse((await run(["settings", "get"])).stdout) as Record<string, unknown>;
    const file = writeFile(`race-${org.slug}.json`, JSON.stringify({ ...document, lockSessionsToIp: !document.lockSessionsToIp }));
    const system = await systemPrincipal({ id: org.orgId }, "Someone else");

    const result = await run(["settings", "apply", file], {
      interactive: true,
      ask: async () => {
        await setOrgPolicy(system, { sessionTimeoutMinutes: 15 });
        return "y";
      },
    });

    expect(result.code).toBe(4);
    expect(result.stderr).toBe(`gatehouse settings apply: ${STALE_SETTINGS}\n`);
    const after = await readOrgPolicy(org.orgId);
    expect(after.sessionTimeoutMinutes).toBe(15);
    expect(after.lockSessionsToIp).toBe(document.lockSessionsToIp);
  });

  it("users list, users deactivate by email, keys list and history login", async () => {
    const { org, run } = await setUp();
    const email = `leaving-${unique()}@example.test`;
    expect((await cli(["user:create", "--org", org.slug, "--email", email, "--name", "Leaving Soon"])).code).toBe(0);

    const listed = await run(["users", "list", "--json"]);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { username: string }[]).map((u) => u.username).sort()).toEqual([org.admin.username, email].sort());

    const deactivated = await run(["users", "deactivate", email]);
    expect(deactivated.code).toBe(0);
    expect((await db().user.findFirstOrThrow({ where: { orgId: org.orgId, username: email } })).isActive).toBe(false);
    const active = await run(["users", "list", "--active", "--json"]);
    expect((JSON.parse(active.stdout) as { username: string }[]).map((u) => u.username)).toEqual([org.admin.username]);

    const keys = await run(["keys", "list", org.admin.username]);
    expect(keys.code).toBe(0);
    expect(keys.stderr).toContain("has no security keys");

    const history = await run(["history", "login", "--since", "7d", "--json"]);
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toEqual([]);

    const foreign = await run(["keys", "list", "0b7e7a4e-8a0f-4a57-9a43-2f1f0a3c6d11"]);
    expect(foreign.code).toBe(3);
  });
});
