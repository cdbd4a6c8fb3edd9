import { describe, expect, it } from "vitest";
import {
  DEFAULT_TOKEN_PERMISSIONS,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  SYSTEM_PERMISSIONS,
  TOKEN_GRANTABLE_PERMISSIONS,
  isPermission,
  permissionsOfRole,
  type Permission,
} from "@/lib/auth/permissions";

// The one role → permission table (DESIGN.md section 11), spelled out: a
// change to what a role may do must change this test too.

const ALL = Object.keys(PERMISSIONS) as Permission[];

describe("the role → permission table", () => {
  it("gives an admin every permission", () => {
    expect([...ROLE_PERMISSIONS.ADMIN].sort()).toEqual([...ALL].sort());
    for (const permission of ALL) expect(permissionsOfRole("ADMIN").has(permission), permission).toBe(true);
  });

  it("gives a standard user their own account and nothing else", () => {
    expect([...ROLE_PERMISSIONS.STANDARD]).toEqual(["account:self"]);
    for (const permission of ALL.filter((p) => p !== "account:self")) {
      expect(permissionsOfRole("STANDARD").has(permission), `a standard user must not have ${permission}`).toBe(false);
    }
  });

  it("gives the system every org permission but no account of its own", () => {
    expect(SYSTEM_PERMISSIONS).not.toContain("account:self");
    expect([...SYSTEM_PERMISSIONS].sort()).toEqual(ALL.filter((p) => p !== "account:self").sort());
  });

  it("never gives a token by default the Admin role's grant or temporary codes, nor an account", () => {
    expect(DEFAULT_TOKEN_PERMISSIONS).not.toContain("users:grant-admin");
    expect(DEFAULT_TOKEN_PERMISSIONS).not.toContain("codes:issue");
    expect(DEFAULT_TOKEN_PERMISSIONS).not.toContain("account:self");
    expect([...DEFAULT_TOKEN_PERMISSIONS].sort()).toEqual(["events:read", "factors:manage", "history:read", "settings:write", "setup:read", "users:write"]);
    expect(TOKEN_GRANTABLE_PERMISSIONS).not.toContain("account:self");
  });

  it("describes every permission and recognises only those", () => {
    for (const permission of ALL) expect(PERMISSIONS[permission].length, permission).toBeGreaterThan(10);
    expect(isPermission("settings:write")).toBe(true);
    expect(isPermission("admin")).toBe(false);
    expect(isPermission("toString")).toBe(false);
  });
});
