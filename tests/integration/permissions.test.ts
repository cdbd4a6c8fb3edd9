import { describe, expect, it } from "vitest";
import { revokeUserDevice } from "@/lib/auth/login/devices";
import { stepUp } from "@/lib/auth/freshness";
import { listLoginAttempts } from "@/lib/auth/login/login-history";
import { DEFAULT_TOKEN_PERMISSIONS, type Permission } from "@/lib/auth/permissions";
import { PermissionDeniedError, systemPrincipal, tokenPrincipal, type Principal } from "@/lib/auth/principal";
import { listAuditEvents } from "@/lib/audit/queries";
import { db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { saveSessionSettings } from "@/lib/policy/mutations";
import { DEFAULT_POLICY } from "@/lib/policy/rules";
import { addUser, revokeUserSession, setUserActive, setUserRole } from "@/lib/users/mutations";
import { adminResetPassword } from "@/lib/users/password-reset";
import { listUsers } from "@/lib/users/queries";
import { issueTemporaryCode } from "@/lib/verification/temporary-codes";
import { listUserKeys, removeUserKey } from "@/lib/webauthn/keys";
import { useTestDatabase } from "../support/database";
import { rejectionOf, tableCounts } from "../support/db-state";
import { createOrg, createUser, signIn, TEST_REQUEST } from "../support/factories";

useTestDatabase();

// Services check a permission of whoever calls them (DESIGN.md section 11):
// a browser session, an API token or the system. Each refusal changes nothing.

const tokenWith = (orgId: string, permissions: Iterable<Permission>) =>
  tokenPrincipal(orgId, { id: "00000000-0000-4000-8000-000000000001", name: "deploy", permissions }, TEST_REQUEST);

/** Every admin service, called by `p` on a user of `orgId`. */
function adminCalls(p: Principal, userId: string) {
  const settings = { ...DEFAULT_POLICY, allowedAaguids: [], blockedAaguids: [], version: 1 };
  return {
    "settings:write": async () => saveSessionSettings(p as never, settings),
    "users:write": async () => setUserActive(p as never, userId, false),
    "users:write (reset password)": async () => adminResetPassword(p as never, userId),
    "users:write (end a session)": async () => revokeUserSession(p, "00000000-0000-4000-8000-000000000002"),
    "users:write (forget a device)": async () => revokeUserDevice(p, userId, "00000000-0000-4000-8000-000000000003"),
    "users:grant-admin": async () => setUserRole(p as never, userId, "ADMIN"),
    "codes:issue": async () => issueTemporaryCode(p as never, userId, 2),
    "factors:manage": async () => removeUserKey(p as never, userId, "00000000-0000-4000-8000-000000000004", "lost"),
    "setup:read": async () => listUsers(p, { q: "", page: 1 }),
    "setup:read (keys)": async () => listUserKeys(p, userId),
    "history:read": async () => listAuditEvents(p, { from: null, to: null, page: 1 }),
    "history:read (logins)": async () => listLoginAttempts(p, { page: 1 } as never),
  } as const;
}

describe("services check the caller's permission", () => {
  it("refuse a standard user's session everything but their own account, and change nothing", async () => {
    const org = await createOrg("Perms");
    const standard = await createUser(org.admin);
    const victim = await createUser(org.admin);
    const { ctx } = await signIn(standard.userId, { fresh: true });
    const fresh = await stepUp(ctx);
    const before = await tableCounts();
    for (const [name, call] of Object.entries(adminCalls(fresh, victim.userId))) {
      expect(await rejectionOf(call()), name).toBeInstanceOf(PermissionDeniedError);
    }
    expect(await rejectionOf(addUser(fresh, { name: "Eve", username: "eve@perms.test", email: "eve@perms.test", role: "STANDARD" }))).toBeInstanceOf(
      PermissionDeniedError,
    );
    expect(await tableCounts()).toEqual(before);
  });

  it("refuse a token what its scopes leave out: by default, granting Admin and temporary codes", async () => {
    const org = await createOrg("Scopes");
    const user = await createUser(org.admin);
    const token = await tokenWith(org.orgId, DEFAULT_TOKEN_PERMISSIONS);
    const before = await tableCounts();
    expect(await rejectionOf(setUserRole(token, user.userId, "ADMIN"))).toBeInstanceOf(PermissionDeniedError);
    expect(await rejectionOf(issueTemporaryCode(token, user.userId, 2))).toBeInstanceOf(PermissionDeniedError);
    expect(await rejectionOf(addUser(token, { name: "Mal", username: "mal@scopes.test", email: "mal@scopes.test", role: "ADMIN" }))).toBeInstanceOf(
      PermissionDeniedError,
    );
    const readOnly = await tokenWith(org.orgId, ["setup:read"]);
    for (const [name, call] of Object.entries(adminCalls(readOnly, user.userId))) {
      if (name.startsWith("setup:read")) continue;
      expect(await rejectionOf(call()), name).toBeInstanceOf(PermissionDeniedError);
    }
    expect(await tableCounts()).toEqual(before);
    // What it holds, it may do, without a browser's step-up: the scope is the authority.
    expect((await listUsers(readOnly, { q: "", page: 1 })).users.map((u) => u.id)).toContain(user.userId);
    await setUserActive(token, user.userId, false);
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).isActive).toBe(false);
  });

  it("scope a token to its own org: another org's users are not found", async () => {
    const mine = await createOrg("Mine");
    const theirs = await createOrg("Theirs");
    const victim = await createUser(theirs.admin);
    const token = await tokenWith(mine.orgId, DEFAULT_TOKEN_PERMISSIONS);
    const before = await tableCounts();
    expect(await rejectionOf(setUserActive(token, victim.userId, false))).toBeInstanceOf(NotFoundError);
    expect(await rejectionOf(adminResetPassword(token, victim.userId))).toBeInstanceOf(NotFoundError);
    expect((await listUsers(token, { q: "", page: 1 })).users.map((u) => u.id)).not.toContain(victim.userId);
    expect(await tableCounts()).toEqual(before);
  });

  it("give a token no account of its own, whatever it was issued", async () => {
    const org = await createOrg("Nobody");
    const token = await tokenWith(org.orgId, ["account:self", "setup:read"]);
    expect(token.permissions.has("account:self")).toBe(false);
  });

  it("let the system act on an org with every org permission, named as the actor", async () => {
    const org = await createOrg("System");
    const user = await createUser(org.admin);
    const system = await systemPrincipal({ slug: org.slug }, "Command line: test");
    await setUserRole(system, user.userId, "ADMIN");
    expect((await db().user.findUniqueOrThrow({ where: { id: user.userId } })).role).toBe("ADMIN");
    expect(system.permissions.has("account:self")).toBe(false);
  });
});
